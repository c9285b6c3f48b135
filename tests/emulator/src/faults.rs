//! Injected faults: latency, 5xx answers, connection resets, truncated bodies, a wrong content type
//! and 429 storms. Shares are probabilities drawn from the seeded generator, so a run repeats.

use serde::{Deserialize, Serialize};

use crate::rng::Rng;

/// The fault settings in force.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Faults {
    pub latency_ms: u64,
    pub jitter_ms: u64,
    pub error_share: f64,
    pub reset_share: f64,
    pub truncate_share: f64,
    pub wrong_content_type_share: f64,
}

/// A partial update of [`Faults`] from the admin API.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FaultsPatch {
    pub latency_ms: Option<u64>,
    pub jitter_ms: Option<u64>,
    pub error_share: Option<f64>,
    pub reset_share: Option<f64>,
    pub truncate_share: Option<f64>,
    pub wrong_content_type_share: Option<f64>,
}

impl Faults {
    pub fn apply(&mut self, patch: FaultsPatch) {
        let share = |v: f64| v.clamp(0.0, 1.0);
        if let Some(v) = patch.latency_ms {
            self.latency_ms = v;
        }
        if let Some(v) = patch.jitter_ms {
            self.jitter_ms = v;
        }
        if let Some(v) = patch.error_share {
            self.error_share = share(v);
        }
        if let Some(v) = patch.reset_share {
            self.reset_share = share(v);
        }
        if let Some(v) = patch.truncate_share {
            self.truncate_share = share(v);
        }
        if let Some(v) = patch.wrong_content_type_share {
            self.wrong_content_type_share = share(v);
        }
    }

    /// Draws this request's faults.
    pub fn draw(&self, rng: &mut Rng) -> Draw {
        let jitter = if self.jitter_ms > 0 {
            rng.next_u64() % (self.jitter_ms + 1)
        } else {
            0
        };
        let error = (rng.unit() < self.error_share).then(|| [500, 502, 503][rng.below(3)]);
        Draw {
            delay_ms: self.latency_ms + jitter,
            error,
            reset: rng.unit() < self.reset_share,
            truncate: rng.unit() < self.truncate_share,
            wrong_content_type: rng.unit() < self.wrong_content_type_share,
        }
    }
}

/// The faults chosen for one request.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Draw {
    pub delay_ms: u64,
    pub error: Option<u16>,
    pub reset: bool,
    pub truncate: bool,
    pub wrong_content_type: bool,
}
