//! Keys a page shows for an account Keyward knows that differ from the key in force, with no
//! renewal saved in front of Keyward (Edit → Renew → Save): the page's word only. Any script in the
//! console page can change the text it shows, so such a key restarts nothing until the Directory
//! API accepts it; until then the key age and the old fingerprint stay. One question per key (by
//! salted fingerprint), asked again only when it got no answer, and only after a while.

use crate::core::api::region::Detection;

/// How the question about one claimed key stands.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ClaimState {
    /// The Directory API is being asked.
    Asking,
    /// The Directory API refused the key: the page shows a key that does not work.
    Refused,
    /// No region answered; asked again from a read at `again_at_ms` on.
    Unanswered { again_at_ms: u64 },
}

/// What the Directory API said of a claimed key.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Proof {
    Accepted,
    Refused,
    Unanswered,
}

impl Proof {
    /// What a search of the regions says of a key: a region accepting it proves it; none
    /// accepting it refuses it; no clear answer leaves the question open.
    pub fn of(detection: &Detection) -> Proof {
        match detection {
            Detection::Found(_) => Proof::Accepted,
            Detection::NotFound(_) => Proof::Refused,
            Detection::Unreachable | Detection::Inconclusive(_) => Proof::Unanswered,
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
struct Claim {
    client_id: String,
    fingerprint: String,
    state: ClaimState,
}

/// The claims of this worker's life (memory only), oldest first.
#[derive(Clone, Debug, Default)]
pub struct Claims(Vec<Claim>);

/// Claims kept: a page could show a new key on every change, and each is one request at most.
const KEPT: usize = 16;
/// How long a question that got no answer waits before a read asks it again.
pub const ASK_AGAIN_MS: u64 = 60_000;

impl Claims {
    /// Whether to ask the Directory API about this key now: never asked, or unanswered a while.
    pub fn ask(&mut self, client_id: &str, fingerprint: &str, now_ms: u64) -> bool {
        if let Some(claim) = self.find(client_id, fingerprint) {
            if !matches!(claim.state, ClaimState::Unanswered { again_at_ms } if now_ms >= again_at_ms)
            {
                return false;
            }
            claim.state = ClaimState::Asking;
            return true;
        }
        self.0.push(Claim {
            client_id: client_id.to_string(),
            fingerprint: fingerprint.to_string(),
            state: ClaimState::Asking,
        });
        let over = self.0.len().saturating_sub(KEPT);
        self.0.drain(..over);
        true
    }

    /// Where the question about this key stands.
    pub fn state(&self, client_id: &str, fingerprint: &str) -> Option<&ClaimState> {
        self.0
            .iter()
            .find(|c| c.client_id == client_id && c.fingerprint == fingerprint)
            .map(|c| &c.state)
    }

    /// The Directory API's answer. An accepted key is no longer a claim: it is the key in force,
    /// which the caller records.
    pub fn answered(&mut self, client_id: &str, fingerprint: &str, proof: Proof, now_ms: u64) {
        match proof {
            Proof::Accepted => self
                .0
                .retain(|c| !(c.client_id == client_id && c.fingerprint == fingerprint)),
            Proof::Refused | Proof::Unanswered => {
                if let Some(claim) = self.find(client_id, fingerprint) {
                    claim.state = match proof {
                        Proof::Refused => ClaimState::Refused,
                        _ => ClaimState::Unanswered {
                            again_at_ms: now_ms.saturating_add(ASK_AGAIN_MS),
                        },
                    };
                }
            }
        }
    }

    fn find(&mut self, client_id: &str, fingerprint: &str) -> Option<&mut Claim> {
        self.0
            .iter_mut()
            .find(|c| c.client_id == client_id && c.fingerprint == fingerprint)
    }
}

impl ClaimState {
    /// What the popup says of a page showing the claimed key.
    pub fn sentence(&self) -> &'static str {
        match self {
            ClaimState::Asking => "The page shows a different key than the one in force, with no renewal saved here: Keyward is asking the Directory API whether it works before it counts as renewed.",
            ClaimState::Refused => "The page shows a different key than the one in force, and the Directory API refused it: Keyward keeps the key it knows.",
            ClaimState::Unanswered { .. } => "The page shows a different key than the one in force, with no renewal saved here; the Directory API could not be asked yet, so Keyward keeps the key it knows and its age.",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_key_is_asked_about_once_and_again_only_after_no_answer_and_a_while() {
        let mut claims = Claims::default();
        assert!(claims.ask("c", "f1", 0));
        assert!(!claims.ask("c", "f1", 10), "asking already");
        assert_eq!(claims.state("c", "f1"), Some(&ClaimState::Asking));
        claims.answered("c", "f1", Proof::Unanswered, 100);
        assert!(!claims.ask("c", "f1", 100 + ASK_AGAIN_MS - 1));
        assert!(claims.ask("c", "f1", 100 + ASK_AGAIN_MS));
        claims.answered("c", "f1", Proof::Refused, 200);
        assert_eq!(claims.state("c", "f1"), Some(&ClaimState::Refused));
        assert!(
            !claims.ask("c", "f1", u64::MAX),
            "a refused key is not asked about again"
        );
        assert!(
            claims.ask("c", "f2", 300),
            "another key is another question"
        );
        claims.answered("c", "f2", Proof::Accepted, 400);
        assert_eq!(claims.state("c", "f2"), None, "accepted: no longer a claim");
    }

    #[test]
    fn claims_are_capped_oldest_first() {
        let mut claims = Claims::default();
        for n in 0..(KEPT + 3) {
            assert!(claims.ask("c", &n.to_string(), 0));
        }
        assert_eq!(claims.state("c", "0"), None);
        assert_eq!(
            claims.state("c", &(KEPT + 2).to_string()),
            Some(&ClaimState::Asking)
        );
    }
}
