//! Test controls that hold work mid-way without relying on timing: a **gate** that parks the API
//! requests it matches until a test opens it, and **scripted failures** that answer the next N
//! matching requests with a chosen status. A test that must see an export "still running" closes
//! the gate after the first page instead of hoping the export is slow enough; a test of retries
//! fails exactly two requests instead of drawing random 5xx.

use std::sync::Mutex;

use serde::{Deserialize, Serialize};
use tokio::sync::watch;

/// Which API requests a control applies to: a method (any if absent) and a text the request's
/// path and query must contain (any if empty), e.g. `/api/directory/user?`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Matcher {
    #[serde(default)]
    pub method: Option<String>,
    #[serde(default)]
    pub path_contains: String,
}

impl Matcher {
    pub fn matches(&self, method: &str, path_and_query: &str) -> bool {
        self.method
            .as_deref()
            .is_none_or(|m| m.eq_ignore_ascii_case(method))
            && path_and_query.contains(&self.path_contains)
    }
}

/// `POST /_emulator/gate`: close the gate on matching requests, letting the first `pass` through.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct GateRule {
    #[serde(flatten)]
    pub matcher: Matcher,
    /// Matching requests let through before the gate starts parking them.
    #[serde(default)]
    pub pass: u64,
}

/// What `GET /_emulator/gate` reports.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct GateState {
    pub rule: Option<GateRule>,
    /// Requests waiting at the gate now.
    pub parked: u64,
    /// Matching requests let through since the gate closed.
    pub passed: u64,
    /// Requests released by opening the gate, since the emulator started.
    pub released: u64,
}

/// The gate. Parked requests wait on a generation counter: opening the gate bumps it, which
/// releases every request parked before — a released request is never parked again.
#[derive(Debug)]
pub struct Gate {
    state: Mutex<GateState>,
    opened: watch::Sender<u64>,
}

impl Default for Gate {
    fn default() -> Self {
        Gate {
            state: Mutex::default(),
            opened: watch::channel(0).0,
        }
    }
}

/// Decrements the parked count however the wait ends (released, or the client hung up and the
/// request's future was dropped).
struct Parked<'a>(&'a Gate);

impl Drop for Parked<'_> {
    fn drop(&mut self) {
        let mut state = self.0.lock();
        state.parked = state.parked.saturating_sub(1);
    }
}

impl Gate {
    fn lock(&self) -> std::sync::MutexGuard<'_, GateState> {
        self.state.lock().unwrap_or_else(|p| p.into_inner())
    }

    pub fn state(&self) -> GateState {
        self.lock().clone()
    }

    /// Closes the gate with `rule` (replacing any earlier rule; requests already parked stay so).
    pub fn close(&self, rule: GateRule) -> GateState {
        let mut state = self.lock();
        state.rule = Some(rule);
        state.passed = 0;
        state.clone()
    }

    /// Opens the gate: every parked request goes on, and nothing more is held.
    pub fn open(&self) -> GateState {
        let mut state = self.lock();
        state.rule = None;
        state.released += state.parked;
        self.opened.send_modify(|generation| *generation += 1);
        state.clone()
    }

    /// Returns at once unless the gate holds this request; then waits until it is opened.
    pub async fn pass(&self, method: &str, path_and_query: &str) {
        let mut opened = {
            let mut state = self.lock();
            let Some(rule) = &state.rule else { return };
            if !rule.matcher.matches(method, path_and_query) {
                return;
            }
            if state.passed < rule.pass {
                state.passed += 1;
                return;
            }
            state.parked += 1;
            // Subscribed under the lock: an `open` after this point is seen as a change.
            self.opened.subscribe()
        };
        let _parked = Parked(self);
        // An error means the sender is gone, which cannot happen while the emulator lives; either
        // way the request goes on.
        let _ = opened.changed().await;
    }
}

/// `POST /_emulator/fail`: answer the next `count` matching requests with `status`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FailRule {
    #[serde(flatten)]
    pub matcher: Matcher,
    pub count: u64,
    pub status: u16,
    /// For a 429: the wait its `Retry-After` announces, in the form the emulator is configured
    /// to send (absent, seconds, date or a fixed value).
    #[serde(default)]
    pub retry_after_secs: Option<u64>,
    /// For a 3xx: where it redirects (a client must not follow it with the credentials).
    #[serde(default)]
    pub location: Option<String>,
    /// For a 2xx: the body to answer with, as JSON (an answer from something that is not the
    /// Directory API, such as `{}`).
    #[serde(default)]
    pub body: Option<String>,
}

/// Scripted failures, used up in order.
#[derive(Debug, Default)]
pub struct Failures {
    rules: Mutex<Vec<FailRule>>,
}

impl Failures {
    pub fn add(&self, rule: FailRule) -> Vec<FailRule> {
        let mut rules = self.rules.lock().unwrap_or_else(|p| p.into_inner());
        if rule.count > 0 {
            rules.push(rule);
        }
        rules.clone()
    }

    pub fn clear(&self) {
        self.rules.lock().unwrap_or_else(|p| p.into_inner()).clear();
    }

    pub fn pending(&self) -> Vec<FailRule> {
        self.rules.lock().unwrap_or_else(|p| p.into_inner()).clone()
    }

    /// The failure this request must answer with, if a rule still has one for it.
    pub fn take(&self, method: &str, path_and_query: &str) -> Option<FailRule> {
        let mut rules = self.rules.lock().unwrap_or_else(|p| p.into_inner());
        let at = rules
            .iter()
            .position(|r| r.matcher.matches(method, path_and_query))?;
        let rule = rules[at].clone();
        rules[at].count -= 1;
        if rules[at].count == 0 {
            rules.remove(at);
        }
        Some(rule)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn matchers_take_a_method_and_a_path_fragment() {
        let any = Matcher::default();
        assert!(any.matches("GET", "/api/directory/user?count=1"));
        let searches = Matcher {
            method: Some("get".into()),
            path_contains: "/directory/user?".into(),
        };
        assert!(searches.matches("GET", "/api/directory/user?filter=x"));
        assert!(!searches.matches("POST", "/api/directory/user?filter=x"));
        assert!(!searches.matches("GET", "/api/directory/group?filter=x"));
    }

    #[test]
    fn failures_are_used_up_in_order() {
        let f = Failures::default();
        f.add(FailRule {
            matcher: Matcher::default(),
            count: 2,
            status: 503,
            retry_after_secs: None,
            location: None,
            body: None,
        });
        assert_eq!(f.take("GET", "/a").map(|r| r.status), Some(503));
        assert_eq!(f.take("GET", "/a").map(|r| r.status), Some(503));
        assert_eq!(f.take("GET", "/a"), None);
        assert!(f.pending().is_empty());
    }
}
