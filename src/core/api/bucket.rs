//! What the scheduler learns of one API client's limit, read as a token bucket — the shape a
//! limit with a burst and a steady rate has — and the pace that follows from it. A short job spends
//! a fresh bucket fast; a long one approaches the limit slowly, so that finding it costs a request
//! or two. The rate is measured between two moments the bucket ran dry, and then held just under:
//! the bucket never runs dry again, until a rare re-probe checks whether the limit was raised. A
//! pure state machine fed the send and answer times of each request.

use crate::core::api::tuning::{Config, Millis};

/// The least time and tokens between two empty buckets that measure a rate: the error of counting
/// whole requests is a request over the time, and the pace held is under the rate by that error.
const MIN_MEASURE_MS: Millis = 2_000;
const MIN_MEASURE_TOKENS: f64 = 20.0;
/// How far above the rate its bucket has shown an approach goes at least.
const SHOWN_MARGIN: f64 = 1.05;
/// A client idle this long may find its bucket full again: it spends it before pacing.
pub(super) const IDLE_REFILL_MS: Millis = 10_000;
/// The round trip assumed before one is measured.
const ASSUMED_ROUND_TRIP_MS: f64 = 500.0;

/// Where the pace is in learning a client's token bucket.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(super) enum Phase {
    /// Nothing known of the bucket since it was last idle, and no long job: spend the burst it
    /// holds, fast.
    Spend,
    /// Finding the limit: the pace rises from `base` (requests per second) by one more request in
    /// flight every `approach_step_ms`, until the bucket is empty. Every request in flight when it
    /// runs dry comes back 429, so the pace rises slowly enough that few are.
    Approach { from: Millis, base: f64 },
    /// The rate is measured: hold just under it, and after `reprobe_ms` approach it again.
    Held { since: Millis },
}

/// What the scheduler has learned of one client's token bucket, and the pace that follows.
///
/// A token bucket admits, between two moments it is empty, exactly the tokens it earned: its
/// rate times the time. So two 429s that each follow a success, and the successes sent between
/// them, measure the rate — with no rate-limit headers, which P14E does not send. Tokens saved
/// while sending below the rate are not lost (until the bucket is full), so approaching the
/// rate from below costs little; what a 429 costs is one request (and, P14E's docs say, a client
/// that keeps drawing them may be asked to slow down), so the pace is chosen to draw few.
#[derive(Clone, Debug)]
pub(super) struct RateControl {
    /// Requests per second sent now.
    pub(super) rate: f64,
    pub(super) phase: Phase,
    /// The send time of the last request answered 429 after a success: the bucket was empty then.
    empty_at: Option<Millis>,
    /// Successes sent since `empty_at`: tokens the bucket earned since.
    earned: u32,
    /// The least rate the bucket has shown since `empty_at`: the `k`-th success sent `t` after
    /// it was empty proves at least `(k − 1) / t` tokens a second.
    shown: f64,
    /// The rate measured between the last two empty buckets, and its error (requests per second:
    /// a whole token either way over the time measured).
    learned: Option<Learned>,
    last_decrease: Option<Millis>,
    /// 429s since the last success: more than one means a storm, not the limit.
    pub(super) consecutive_429s: u32,
    /// The job now queued is long (see [`RateControl::on_backlog`]).
    long_job: bool,
}

/// A measured rate.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(super) struct Learned {
    pub(super) rate: f64,
    error: f64,
}

impl Learned {
    /// The pace held: under the rate by its error or a margin, whichever is more, so the bucket
    /// fills slowly instead of running dry.
    fn held(&self, c: &Config) -> f64 {
        (self.rate - self.error).min(self.rate * (1.0 - c.hold_margin))
    }
}

impl RateControl {
    pub(super) fn new(c: &Config) -> RateControl {
        RateControl {
            rate: c.spend_rate,
            phase: Phase::Spend,
            empty_at: None,
            earned: 0,
            shown: 0.0,
            learned: None,
            last_decrease: None,
            consecutive_429s: 0,
            long_job: false,
        }
    }

    fn clamp(&mut self, c: &Config) {
        self.rate = self.rate.clamp(c.min_rate, c.max_rate);
    }

    /// How fast an approach from `base` rises (requests per second, per second): one more request
    /// in flight every `approach_step_ms` at this round trip — over a long round trip, each request
    /// in flight past the limit is one more 429 when the bucket runs dry — and by at most
    /// `approach_rise` of the base a second, so that over a short one the bucket does not run dry
    /// again and again before a rate is measured.
    fn slope(c: &Config, base: f64, round_trip_ms: Option<f64>) -> f64 {
        let rtt = round_trip_ms.unwrap_or(ASSUMED_ROUND_TRIP_MS).max(1.0);
        (1e6 / (rtt * c.approach_step_ms.max(1) as f64)).min(base * c.approach_rise)
    }

    /// Where a careful approach starts with nothing known: `approach_in_flight` requests in
    /// flight. If the limit is below it, the bucket runs dry with about that many out.
    fn approach_base(c: &Config, round_trip_ms: Option<f64>) -> f64 {
        let rtt = round_trip_ms.unwrap_or(ASSUMED_ROUND_TRIP_MS).max(1.0);
        (c.approach_in_flight * 1000.0 / rtt).min(c.spend_rate)
    }

    /// The pace the phase asks for at `now`.
    fn follow(&mut self, c: &Config, now: Millis, round_trip_ms: Option<f64>) {
        match self.phase {
            Phase::Spend => {}
            Phase::Approach { from, base } => {
                // Just above what the bucket has shown, at least: with a long round trip, the
                // answers to requests sent after it ran dry already show most of its rate.
                let secs = now.saturating_sub(from) as f64 / 1000.0;
                let rising = base + Self::slope(c, base, round_trip_ms) * secs;
                self.rate = rising.max(self.shown * SHOWN_MARGIN);
            }
            Phase::Held { since } => {
                if let Some(learned) = self.learned {
                    self.rate = learned.held(c);
                    if now.saturating_sub(since) >= c.reprobe_ms {
                        // Rarely, approach again from here: the limit may have been raised. The
                        // bucket filled while held, so the empty bucket the approach finds is a
                        // first one, not the end of a measure.
                        self.empty_at = None;
                        self.phase = Phase::Approach {
                            from: now,
                            base: self.rate,
                        };
                    }
                }
            }
        }
        self.clamp(c);
    }

    /// The bulk work queued for this client, in requests still to make (the export says how
    /// many pages are left). A long job does not spend a fresh bucket fast: every request in
    /// flight when it runs dry would come back 429. It approaches the limit, or holds what was
    /// learned.
    pub(super) fn on_backlog(
        &mut self,
        c: &Config,
        requests: u64,
        now: Millis,
        round_trip_ms: Option<f64>,
    ) {
        self.long_job = requests as f64 > c.spend_rate * c.short_job_secs;
        if self.phase == Phase::Spend && self.long_job {
            self.phase = match self.learned {
                Some(_) => Phase::Held { since: now },
                None => Phase::Approach {
                    from: now,
                    base: Self::approach_base(c, round_trip_ms),
                },
            };
            self.follow(c, now, round_trip_ms);
        }
    }

    pub(super) fn on_success(
        &mut self,
        c: &Config,
        sent_at: Millis,
        now: Millis,
        round_trip_ms: Option<f64>,
    ) {
        if self.consecutive_429s > 2 {
            // A storm is over: back to the rate learned before it, or the limit is approached
            // afresh (the pace the storm wore down says nothing of it).
            self.phase = match self.learned {
                Some(_) => Phase::Held { since: now },
                None => Phase::Approach {
                    from: now,
                    base: Self::approach_base(c, round_trip_ms),
                },
            };
        }
        self.consecutive_429s = 0;
        if let Some(empty_at) = self.empty_at.filter(|e| sent_at > *e) {
            self.earned = self.earned.saturating_add(1);
            let shown = f64::from(self.earned - 1) * 1000.0 / (sent_at - empty_at) as f64;
            self.shown = self.shown.max(shown);
        }
        self.follow(c, now, round_trip_ms);
    }

    /// A client about to send after being idle since `last_send`: its bucket may be full again.
    pub(super) fn on_resume(&mut self, c: &Config, last_send: Option<Millis>, now: Millis) {
        if last_send.is_some_and(|t| now.saturating_sub(t) >= IDLE_REFILL_MS) {
            self.phase = Phase::Spend;
            self.rate = c.spend_rate;
            self.empty_at = None;
            self.earned = 0;
            self.shown = 0.0;
            self.long_job = false;
        }
    }

    /// A 429 for a request sent at `sent_at`. Answers to requests sent before the last decrease
    /// reflect the old pace and are not counted again; returns whether this one counted.
    pub(super) fn on_throttled(
        &mut self,
        c: &Config,
        sent_at: Millis,
        now: Millis,
        round_trip_ms: Option<f64>,
    ) -> bool {
        if self.last_decrease.is_some_and(|d| sent_at < d) {
            return false;
        }
        self.consecutive_429s += 1;
        self.last_decrease = Some(now);
        if self.consecutive_429s == 2 {
            // Refused again with no success between: the bucket is still empty, the pace still
            // above its rate. Approach from lower, measuring from the same empty bucket.
            self.rate *= c.decrease;
            self.clamp(c);
            if let Phase::Approach { .. } = self.phase {
                self.phase = Phase::Approach {
                    from: now,
                    base: self.rate * c.approach_back,
                };
                self.follow(c, now, round_trip_ms);
            }
            return true;
        }
        if self.consecutive_429s > 2 {
            // Refused again and again: a storm, not the limit. Slow down, but keep what was
            // learned, so recovery heads straight back to it.
            let floor = self.learned.map_or(c.min_rate, |l| l.rate * 0.25);
            // Nor does a storm leave a bucket to measure from: the successes after it, over a
            // window reaching back before it, would read as a rate far too low.
            self.empty_at = None;
            self.earned = 0;
            self.shown = 0.0;
            self.rate = (self.rate * c.decrease).max(floor);
            self.clamp(c);
            if let Phase::Approach { .. } = self.phase {
                // An approach goes on from here once the storm ends, not from where it had got to.
                self.phase = Phase::Approach {
                    from: now,
                    base: self.rate,
                };
            }
            return true;
        }
        // The tokens earned since the bucket was first found empty, over the time between: a
        // bucket empty at both ends earned exactly what was spent in between, however many times
        // it ran dry on the way. A held pace left the bucket filling (perhaps to its brim, where
        // tokens are lost), so its running dry measures nothing: it is a first empty.
        let held = matches!(self.phase, Phase::Held { .. });
        let window = self
            .empty_at
            .filter(|_| !held)
            .map(|e| sent_at.saturating_sub(e).max(1));
        let earned = f64::from(self.earned);
        if window.is_none() {
            self.empty_at = Some(sent_at);
            self.earned = 0;
            self.shown = 0.0;
        }
        let measured = window.filter(|w| *w >= MIN_MEASURE_MS && earned >= MIN_MEASURE_TOKENS);
        self.phase = match (window, measured) {
            (_, Some(window)) => {
                let per_sec = 1000.0 / window as f64;
                self.learned = Some(Learned {
                    rate: earned * per_sec,
                    error: per_sec,
                });
                // The next measure starts here.
                self.empty_at = Some(sent_at);
                self.earned = 0;
                self.shown = 0.0;
                Phase::Held { since: now }
            }
            // A burst spent with the rate known: hold it.
            (None, _) if self.learned.is_some() && !held => Phase::Held { since: now },
            // The first empty bucket (the burst is spent), or a held pace that ran dry (the
            // limit fell, or someone else spends it): approach again from below the pace that
            // emptied it, and measure at the next empty bucket.
            (None, _) => Phase::Approach {
                from: now,
                base: self.rate * c.approach_back,
            },
            // Empty again too soon to measure: the pace was already above the rate. Approach again
            // from what the bucket did give, and measure from the first empty bucket still.
            (Some(window), None) => Phase::Approach {
                from: now,
                base: (earned.max(1.0) * 1000.0 / window as f64).min(self.rate * c.decrease),
            },
        };
        self.follow(c, now, round_trip_ms);
        true
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const RTT: Option<f64> = Some(20.0);

    /// Drives a client's pace through its phases: `successes` sent evenly over `[from, to)`,
    /// each answered 20 ms later.
    fn succeed(ctl: &mut RateControl, c: &Config, successes: u64, from: Millis, to: Millis) {
        for i in 0..successes {
            let sent = from + (to - from) * i / successes;
            ctl.on_success(c, sent, sent + 20, RTT);
        }
    }

    /// A 429 storm: `count` requests sent `every` ms from `from`, each answered 429 20 ms later.
    fn storm(ctl: &mut RateControl, c: &Config, count: u64, from: Millis, every: Millis) {
        for i in 0..count {
            let sent = from + i * every;
            ctl.on_throttled(c, sent, sent + 20, RTT);
        }
    }

    /// A pace that has measured its bucket: empty at 0 and again at 4 s, 40 successes between.
    fn measured(c: &Config) -> (RateControl, Learned) {
        let mut ctl = RateControl::new(c);
        ctl.on_throttled(c, 0, 20, RTT);
        succeed(&mut ctl, c, 40, 10, 4_000);
        ctl.on_throttled(c, 4_000, 4_020, RTT);
        let learned = ctl.learned.expect("measured");
        (ctl, learned)
    }

    #[test]
    fn the_successes_between_two_empty_buckets_measure_the_rate_held_just_under() {
        let c = Config::default();
        let mut ctl = RateControl::new(&c);
        assert_eq!(ctl.rate, c.spend_rate, "a fresh bucket is spent fast");
        // The burst is spent: empty at 100 ms. The approach starts from half the pace that
        // emptied it; an answer to a request sent before the pace changed is not counted again.
        succeed(&mut ctl, &c, 20, 0, 100);
        ctl.on_throttled(&c, 100, 120, RTT);
        assert_eq!(
            ctl.phase,
            Phase::Approach {
                from: 120,
                base: c.spend_rate * c.approach_back
            }
        );
        assert!(!ctl.on_throttled(&c, 110, 130, RTT));
        assert_eq!(ctl.empty_at, Some(100));
        // 40 successes sent between the two empty buckets, 4 s apart: 10 tokens a second.
        succeed(&mut ctl, &c, 40, 150, 4_100);
        ctl.on_throttled(&c, 4_100, 4_120, RTT);
        let learned = ctl.learned.expect("measured");
        assert_eq!((learned.rate, learned.error), (10.0, 0.25));
        assert_eq!(ctl.phase, Phase::Held { since: 4_120 });
        // Held under the rate by its error (a token in 4 s) or the margin, whichever is more.
        let held = 10.0 - 0.25f64.max(10.0 * c.hold_margin);
        assert!((ctl.rate - held).abs() < 1e-9, "{}", ctl.rate);
        // And kept there: no creep above it, however long the export runs.
        succeed(&mut ctl, &c, 2_000, 4_200, c.reprobe_ms);
        assert!((ctl.rate - held).abs() < 1e-9, "{}", ctl.rate);
        // Rarely, it approaches again from there (the limit may have been raised).
        ctl.on_success(&c, c.reprobe_ms + 4_200, c.reprobe_ms + 4_220, RTT);
        assert!(matches!(ctl.phase, Phase::Approach { base, .. } if (base - held).abs() < 1e-9));
        assert_eq!(ctl.empty_at, None, "the next empty bucket is a first one");
    }

    #[test]
    fn a_long_job_approaches_the_limit_instead_of_spending_the_burst() {
        let c = Config::default();
        let short = (c.spend_rate * c.short_job_secs) as u64;
        let mut ctl = RateControl::new(&c);
        ctl.on_backlog(&c, short, 0, Some(400.0));
        assert_eq!(ctl.phase, Phase::Spend, "a short job spends");
        ctl.on_backlog(&c, short + 1, 0, Some(400.0));
        // Two requests in flight at 400 ms: 5 a second, rising by one in flight a step (2.5/s
        // a step) but by at most a tenth of the base a second (2/s a step of 4 s).
        assert_eq!(ctl.phase, Phase::Approach { from: 0, base: 5.0 });
        ctl.on_success(&c, 0, c.approach_step_ms, Some(400.0));
        let rise = (2.5f64).min(5.0 * c.approach_rise * c.approach_step_ms as f64 / 1000.0);
        assert!((ctl.rate - (5.0 + rise)).abs() < 1e-9, "{}", ctl.rate);
        // With the rate known, a long job holds it from the start.
        let (mut known, learned) = measured(&c);
        known.on_resume(&c, Some(4_000), 4_000 + IDLE_REFILL_MS);
        known.on_backlog(&c, short + 1, 20_000, RTT);
        assert_eq!(known.phase, Phase::Held { since: 20_000 });
        assert!((known.rate - learned.held(&c)).abs() < 1e-9);
    }

    #[test]
    fn emptied_again_too_soon_it_approaches_from_lower_and_measures_from_the_first_empty() {
        let c = Config::default();
        let mut ctl = RateControl::new(&c);
        ctl.on_throttled(&c, 0, 20, RTT);
        // Five successes in the next second: too few to measure.
        succeed(&mut ctl, &c, 5, 100, 1_000);
        let before = ctl.rate;
        ctl.on_throttled(&c, 1_000, 1_020, RTT);
        assert_eq!(ctl.learned, None);
        let Phase::Approach { from: 1_020, base } = ctl.phase else {
            panic!("{:?}", ctl.phase);
        };
        assert!(base <= 5.0 && base < before, "{base} {before}");
        // Then 25 more in 3 s: 30 tokens over the 4 s since the first empty bucket.
        succeed(&mut ctl, &c, 25, 1_100, 4_000);
        ctl.on_throttled(&c, 4_000, 4_020, RTT);
        assert_eq!(ctl.learned.map(|l| l.rate), Some(7.5));
    }

    #[test]
    fn a_storm_slows_the_pace_and_its_end_returns_to_what_was_learned() {
        let c = Config::default();
        let (mut ctl, learned) = measured(&c);
        // 429 after 429 with no success: the pace falls, never below a quarter of the rate.
        storm(&mut ctl, &c, 30, 4_100, 100);
        assert_eq!(ctl.learned, Some(learned));
        assert!(
            (ctl.rate - learned.rate * 0.25).abs() < 1e-9,
            "{}",
            ctl.rate
        );
        ctl.on_success(&c, 9_000, 9_020, RTT);
        assert_eq!(ctl.phase, Phase::Held { since: 9_020 });
        assert!((ctl.rate - learned.held(&c)).abs() < 1e-9);
    }

    #[test]
    fn no_rate_is_measured_across_a_storm() {
        let c = Config::default();
        let mut ctl = RateControl::new(&c);
        // The burst spent at 1 s; two successes; then a storm, 429 after 429, for 8 s.
        ctl.on_throttled(&c, 1_000, 1_020, RTT);
        succeed(&mut ctl, &c, 2, 1_100, 1_300);
        storm(&mut ctl, &c, 16, 1_400, 500);
        // After it, 30 successes in 3 s, then the bucket is empty: not 30 tokens over the 9 s
        // since the empty bucket before the storm (3.3/s) — the window starts after the storm.
        succeed(&mut ctl, &c, 30, 10_000, 13_000);
        ctl.on_throttled(&c, 13_000, 13_020, RTT);
        assert_eq!(ctl.learned, None, "{:?}", ctl.learned);
        succeed(&mut ctl, &c, 30, 13_100, 16_100);
        ctl.on_throttled(&c, 16_100, 16_120, RTT);
        let learned = ctl.learned.expect("measured after the storm");
        assert!((learned.rate - 10.0).abs() < 0.5, "{learned:?}");
    }

    #[test]
    fn a_held_pace_that_runs_dry_approaches_again_and_measures_afresh() {
        let c = Config::default();
        let (mut ctl, _) = measured(&c);
        succeed(&mut ctl, &c, 100, 4_100, 14_000);
        let held = ctl.rate;
        // The limit fell (or someone else spends it): a first empty bucket again.
        ctl.on_throttled(&c, 14_000, 14_020, RTT);
        assert_eq!(
            ctl.phase,
            Phase::Approach {
                from: 14_020,
                base: held * c.approach_back
            }
        );
        assert_eq!(ctl.empty_at, Some(14_000));
        // 5 a second now.
        succeed(&mut ctl, &c, 25, 14_100, 19_000);
        ctl.on_throttled(&c, 19_000, 19_020, RTT);
        assert_eq!(ctl.learned.map(|l| l.rate), Some(5.0));
    }

    #[test]
    fn an_idle_client_spends_its_refilled_bucket_then_holds_what_it_learned() {
        let c = Config::default();
        let (mut ctl, learned) = measured(&c);
        ctl.on_resume(&c, Some(4_000), 7_000);
        assert_eq!(
            ctl.phase,
            Phase::Held { since: 4_020 },
            "a short pause changes nothing"
        );
        ctl.on_resume(&c, Some(4_000), 4_000 + IDLE_REFILL_MS);
        assert_eq!((ctl.phase, ctl.rate), (Phase::Spend, c.spend_rate));
        succeed(&mut ctl, &c, 10, 14_000, 14_200);
        ctl.on_throttled(&c, 14_200, 14_220, RTT);
        assert_eq!(
            ctl.phase,
            Phase::Held { since: 14_220 },
            "no approach: the rate is known"
        );
        assert_eq!(ctl.learned, Some(learned));
    }
}
