//! What the scheduler learns of one API client's limit, read as a token bucket — the shape a
//! limit with a burst and a steady rate has — and the pace that follows from it: spend a fresh
//! bucket's burst, measure the rate between two moments the bucket ran dry, hold that rate and
//! creep above it. A pure state machine fed the send and answer times of each request.

use crate::core::api::throttle::{Config, Millis};

/// The shortest time between two empty buckets that measures a rate (shorter ones are mostly
/// the error of counting whole requests).
const MIN_MEASURE_MS: Millis = 500;
/// How far above the rate its bucket has shown a climb goes at least.
const SHOWN_MARGIN: f64 = 1.05;
/// A client idle this long may find its bucket full again: it spends it before pacing.
pub(super) const IDLE_REFILL_MS: Millis = 10_000;

/// Where the pace is in learning a client's token bucket.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(super) enum Phase {
    /// Nothing known of the bucket since it was last idle: spend the burst it holds, fast.
    Spend,
    /// The bucket was found empty and the rate is unknown: climb from `base` (requests per
    /// second) until it is empty again.
    Climb { from: Millis, base: f64 },
    /// The rate is measured: pace at it, creeping above it slowly.
    Paced { since: Millis },
}

/// What the scheduler has learned of one client's token bucket, and the pace that follows.
///
/// A token bucket admits, between two moments it is empty, exactly the tokens it earned: its
/// rate times the time. So two 429s that each follow a success, and the successes sent between
/// them, measure the rate — with no rate-limit headers, which P14E does not send. Tokens saved
/// while sending below the rate are not lost (until the bucket is full), so climbing towards the
/// rate costs little; what a 429 costs is one request, so the pace is chosen to draw few.
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
}

/// A measured rate.
#[derive(Clone, Copy, Debug, PartialEq)]
struct Learned {
    rate: f64,
    error: f64,
}

impl Learned {
    /// How fast the pace creeps above the measured rate (requests per second, per second). A
    /// pace `a·t` above the true rate has spent one token too many after √(2/a) seconds, so
    /// `2·share²·rate²` draws one 429 in `1/share` requests; the error term crosses the
    /// measurement's uncertainty within the horizon.
    fn creep(&self, c: &Config) -> f64 {
        let floor = 2.0 * c.probe_share.powi(2) * self.rate.powi(2);
        floor.max(self.error * 1000.0 / c.probe_horizon_ms.max(1) as f64)
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
        }
    }

    fn clamp(&mut self, c: &Config) {
        self.rate = self.rate.clamp(c.min_rate, c.max_rate);
    }

    /// The pace the phase asks for at `now`.
    fn follow(&mut self, c: &Config, now: Millis) {
        match self.phase {
            Phase::Spend => {}
            Phase::Climb { from, base } => {
                // Just above what the bucket has shown, at least: with a long round trip, the
                // answers to requests sent after it ran dry already show most of its rate, and
                // climbing from far below would save more tokens than the bucket holds.
                let doublings = now.saturating_sub(from) as f64 / c.climb_doubling_ms.max(1) as f64;
                self.rate = (base * doublings.min(16.0).exp2()).max(self.shown * SHOWN_MARGIN);
            }
            Phase::Paced { since } => {
                if let Some(learned) = self.learned {
                    let secs = now.saturating_sub(since) as f64 / 1000.0;
                    self.rate = learned.rate + learned.creep(c) * secs;
                }
            }
        }
        self.clamp(c);
    }

    pub(super) fn on_success(&mut self, c: &Config, sent_at: Millis, now: Millis) {
        self.consecutive_429s = 0;
        if let Some(empty_at) = self.empty_at.filter(|e| sent_at > *e) {
            self.earned = self.earned.saturating_add(1);
            let shown = f64::from(self.earned - 1) * 1000.0 / (sent_at - empty_at) as f64;
            self.shown = self.shown.max(shown);
        }
        self.follow(c, now);
    }

    /// A client about to send after being idle since `last_send`: its bucket may be full again.
    pub(super) fn on_resume(&mut self, c: &Config, last_send: Option<Millis>, now: Millis) {
        if last_send.is_some_and(|t| now.saturating_sub(t) >= IDLE_REFILL_MS) {
            self.phase = Phase::Spend;
            self.rate = c.spend_rate;
            self.empty_at = None;
            self.earned = 0;
            self.shown = 0.0;
        }
    }

    /// A 429 for a request sent at `sent_at`. Answers to requests sent before the last decrease
    /// reflect the old pace and are not counted again; returns whether this one counted.
    pub(super) fn on_throttled(&mut self, c: &Config, sent_at: Millis, now: Millis) -> bool {
        if self.last_decrease.is_some_and(|d| sent_at < d) {
            return false;
        }
        self.consecutive_429s += 1;
        self.last_decrease = Some(now);
        if self.consecutive_429s > 1 {
            // No success since the last decrease: a storm, not the limit. Slow down, but keep what
            // was learned, so recovery heads straight back to it.
            let floor = self.learned.map_or(c.min_rate, |l| l.rate * 0.25);
            // Nor does a storm leave a bucket to measure from: the successes after it, over a
            // window reaching back before it, would read as a rate far too low.
            self.empty_at = None;
            self.earned = 0;
            self.shown = 0.0;
            self.rate = (self.rate * c.decrease).max(floor);
            self.clamp(c);
            if let Phase::Climb { .. } = self.phase {
                // A climb goes on from here once the storm ends, not from where it had got to.
                self.phase = Phase::Climb {
                    from: now,
                    base: self.rate,
                };
            }
            return true;
        }
        // The tokens earned since the bucket was last empty, over the time between.
        let window = self.empty_at.map(|e| sent_at.saturating_sub(e).max(1));
        let earned = f64::from(self.earned);
        self.empty_at = Some(sent_at);
        self.earned = 0;
        self.shown = 0.0;
        let Some(window) = window else {
            // The first empty bucket: the burst is spent. Pace at what was measured before, or
            // climb to measure it.
            self.phase = match self.learned {
                Some(_) => Phase::Paced { since: now },
                None => Phase::Climb {
                    from: now,
                    base: c.climb_from,
                },
            };
            self.follow(c, now);
            return true;
        };
        let per_sec = 1000.0 / window as f64;
        if window >= MIN_MEASURE_MS && earned >= 2.0 {
            self.learned = Some(Learned {
                rate: earned * per_sec,
                error: per_sec,
            });
            self.phase = Phase::Paced { since: now };
        } else {
            // Empty again too soon to measure: the pace was already above the rate. Climb again
            // from what the bucket did give.
            self.learned = None;
            self.phase = Phase::Climb {
                from: now,
                base: (earned.max(1.0) * per_sec).min(self.rate * c.decrease),
            };
        }
        self.follow(c, now);
        true
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Drives a client's pace through its phases: `successes` sent evenly over `[from, to)`,
    /// each answered `rtt` later.
    fn succeed(ctl: &mut RateControl, c: &Config, successes: u64, from: Millis, to: Millis) {
        for i in 0..successes {
            let sent = from + (to - from) * i / successes;
            ctl.on_success(c, sent, sent + 20);
        }
    }

    /// A 429 storm: `count` requests sent `every` ms from `from`, each answered 429 20 ms later.
    fn storm(ctl: &mut RateControl, c: &Config, count: u64, from: Millis, every: Millis) {
        for i in 0..count {
            let sent = from + i * every;
            ctl.on_throttled(c, sent, sent + 20);
        }
    }

    /// A pace that has measured its bucket: empty at 0 and again at 2 s, 20 successes between.
    fn measured(c: &Config) -> (RateControl, Learned) {
        let mut ctl = RateControl::new(c);
        ctl.on_throttled(c, 0, 20);
        succeed(&mut ctl, c, 20, 10, 2_000);
        ctl.on_throttled(c, 2_000, 2_020);
        let learned = ctl.learned.expect("measured");
        (ctl, learned)
    }

    #[test]
    fn the_successes_between_two_empty_buckets_measure_its_rate() {
        let c = Config::default();
        let mut ctl = RateControl::new(&c);
        assert_eq!(ctl.rate, c.spend_rate, "a fresh bucket is spent fast");
        // The burst is spent: empty at 100 ms. Answers to requests sent before the pace changed
        // are not counted again.
        succeed(&mut ctl, &c, 20, 0, 100);
        ctl.on_throttled(&c, 100, 120);
        assert_eq!(
            ctl.phase,
            Phase::Climb {
                from: 120,
                base: c.climb_from
            }
        );
        ctl.on_throttled(&c, 110, 130);
        assert_eq!(ctl.empty_at, Some(100));
        // Climbing: it doubles every `climb_doubling_ms`.
        ctl.on_success(&c, 105, 1_120);
        assert!((ctl.rate - 2.0 * c.climb_from).abs() < 1e-9, "{}", ctl.rate);
        // 15 successes sent between the two empty buckets, 3 s apart: 5 tokens a second.
        succeed(&mut ctl, &c, 14, 150, 3_100);
        ctl.on_throttled(&c, 3_100, 3_120);
        assert_eq!(ctl.learned.map(|l| l.rate), Some(5.0));
        assert_eq!(ctl.phase, Phase::Paced { since: 3_120 });
        assert!((ctl.rate - 5.0).abs() < 1e-9, "paced at what was measured");
        // It creeps above it, across the measurement's error (a token in 3 s) within the
        // horizon: 150 successes over the next 30 s, and the pace has risen by 30/40 of it.
        succeed(&mut ctl, &c, 150, 3_200, 33_100);
        let error = 1.0 / 3.0;
        let risen = error * 30_000.0 / c.probe_horizon_ms as f64;
        assert!((ctl.rate - (5.0 + risen)).abs() < 0.01, "{}", ctl.rate);
        // Then the bucket is empty again: measured again over those 30 s, finer.
        ctl.on_throttled(&c, 33_200, 33_220);
        let finer = ctl.learned.expect("measured");
        assert!(
            (finer.rate - 5.0).abs() < 0.02 && finer.error < 0.034,
            "{finer:?}"
        );
    }

    #[test]
    fn emptied_again_too_soon_to_measure_it_climbs_again_from_what_the_bucket_gave() {
        let c = Config::default();
        let mut ctl = RateControl::new(&c);
        ctl.on_throttled(&c, 100, 120);
        // One success in the next 400 ms: the climb started above the rate.
        ctl.on_success(&c, 300, 320);
        let before = ctl.rate;
        ctl.on_throttled(&c, 500, 520);
        assert_eq!(ctl.learned, None);
        // Again from at most what the bucket gave (one token in 400 ms), below the pace that
        // emptied it.
        let Phase::Climb { from: 520, base } = ctl.phase else {
            panic!("{:?}", ctl.phase);
        };
        assert!(base <= 2.5 && base < before, "{base} {before}");
        assert_eq!(ctl.rate, base);
    }

    #[test]
    fn a_storm_slows_the_pace_but_keeps_what_was_learned() {
        let c = Config::default();
        let (mut ctl, learned) = measured(&c);
        // 429 after 429 with no success: the pace falls, never below a quarter of the rate.
        storm(&mut ctl, &c, 30, 2_100, 100);
        assert_eq!(ctl.learned, Some(learned));
        assert!(
            (ctl.rate - learned.rate * 0.25).abs() < 1e-9,
            "{}",
            ctl.rate
        );
    }

    #[test]
    fn a_storm_while_climbing_restarts_the_climb_where_it_ended() {
        let c = Config::default();
        let mut ctl = RateControl::new(&c);
        ctl.on_throttled(&c, 0, 20);
        ctl.on_success(&c, 500, 520);
        // A storm: 429 after 429 for 15 s.
        storm(&mut ctl, &c, 30, 1_000, 500);
        let after = ctl.rate;
        assert!(after <= c.climb_from, "{after}");
        // The first success after it climbs from that pace, not from 15 s of doublings.
        ctl.on_success(&c, 16_000, 16_020);
        assert!(ctl.rate < 2.0 * after, "{} after {after}", ctl.rate);
    }

    #[test]
    fn no_rate_is_measured_across_a_storm() {
        let c = Config::default();
        let mut ctl = RateControl::new(&c);
        // The burst spent at 1 s; two successes; then a storm, 429 after 429, for 8 s.
        ctl.on_throttled(&c, 1_000, 1_020);
        succeed(&mut ctl, &c, 2, 1_100, 1_300);
        storm(&mut ctl, &c, 16, 1_400, 500);
        // After it, 30 successes in 3 s, then the bucket is empty: not 30 tokens over the 9 s
        // since the empty bucket before the storm (3.3/s) — the window starts after the storm.
        succeed(&mut ctl, &c, 30, 10_000, 13_000);
        ctl.on_throttled(&c, 13_000, 13_020);
        assert_eq!(ctl.learned, None, "{:?}", ctl.learned);
        succeed(&mut ctl, &c, 30, 13_100, 16_100);
        ctl.on_throttled(&c, 16_100, 16_120);
        let learned = ctl.learned.expect("measured after the storm");
        assert!((learned.rate - 10.0).abs() < 0.5, "{learned:?}");
    }

    #[test]
    fn an_idle_client_spends_its_refilled_bucket_then_paces_at_what_it_learned() {
        let c = Config::default();
        let (mut ctl, learned) = measured(&c);
        ctl.on_resume(&c, Some(2_000), 5_000);
        assert_eq!(
            ctl.phase,
            Phase::Paced { since: 2_020 },
            "a short pause changes nothing"
        );
        ctl.on_resume(&c, Some(2_000), 2_000 + IDLE_REFILL_MS);
        assert_eq!((ctl.phase, ctl.rate), (Phase::Spend, c.spend_rate));
        succeed(&mut ctl, &c, 10, 12_000, 12_200);
        ctl.on_throttled(&c, 12_200, 12_220);
        assert_eq!(
            ctl.phase,
            Phase::Paced { since: 12_220 },
            "no climb: the rate is known"
        );
        assert_eq!(ctl.learned, Some(learned));
    }
}
