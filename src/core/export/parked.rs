//! Export pages the worker fetched for a tab that closed before the answer came. The export
//! resumed in a new tab asks for the same pages: it takes them from here instead of asking the API
//! again (every request counts against the account's allowance). Kept a few minutes, a few dozen
//! at most, by account and address; each is taken once.

/// Pages kept at most: about as many as an export has in flight.
pub const PARKED_PAGES: usize = 32;
/// How long a page is kept for the export to come back.
pub const PARKED_MS: u64 = 5 * 60_000;

/// The pages kept, oldest first.
#[derive(Clone, Debug)]
pub struct Parked<T> {
    pages: Vec<Entry<T>>,
}

impl<T> Default for Parked<T> {
    fn default() -> Self {
        Parked { pages: Vec::new() }
    }
}

#[derive(Clone, Debug)]
struct Entry<T> {
    client_id: String,
    url: String,
    at_ms: u64,
    answer: T,
}

impl<T> Parked<T> {
    /// Keeps `answer` to the request for `url` made with `client_id`'s key, dropping the oldest
    /// beyond [`PARKED_PAGES`].
    pub fn park(&mut self, client_id: &str, url: &str, answer: T, now_ms: u64) {
        self.pages
            .retain(|e| !(e.client_id == client_id && e.url == url));
        if self.pages.len() >= PARKED_PAGES {
            self.pages.remove(0);
        }
        self.pages.push(Entry {
            client_id: client_id.to_string(),
            url: url.to_string(),
            at_ms: now_ms,
            answer,
        });
    }

    /// The answer kept for that request, if it is still fresh; it is kept no longer.
    pub fn take(&mut self, client_id: &str, url: &str, now_ms: u64) -> Option<T> {
        self.pages
            .retain(|e| now_ms.saturating_sub(e.at_ms) < PARKED_MS && e.at_ms <= now_ms);
        let at = self
            .pages
            .iter()
            .position(|e| e.client_id == client_id && e.url == url)?;
        Some(self.pages.remove(at).answer)
    }

    pub fn len(&self) -> usize {
        self.pages.len()
    }

    pub fn is_empty(&self) -> bool {
        self.pages.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_page_is_taken_once_by_its_account_and_address_while_fresh() {
        let mut parked = Parked::default();
        parked.park("a", "/users?startIndex=1", 1, 0);
        parked.park("a", "/users?startIndex=1001", 2, 0);
        assert_eq!(
            parked.take("b", "/users?startIndex=1", 10),
            None,
            "another account's"
        );
        assert_eq!(parked.take("a", "/users?startIndex=1", 10), Some(1));
        assert_eq!(
            parked.take("a", "/users?startIndex=1", 10),
            None,
            "taken once"
        );
        assert_eq!(
            parked.take("a", "/users?startIndex=1001", PARKED_MS),
            None,
            "stale"
        );
        assert!(parked.is_empty());
    }

    #[test]
    fn the_newest_are_kept_and_a_clock_gone_back_keeps_nothing() {
        let mut parked = Parked::default();
        for i in 0..PARKED_PAGES + 5 {
            parked.park("a", &i.to_string(), i, 1_000);
        }
        assert_eq!(parked.len(), PARKED_PAGES);
        assert_eq!(parked.take("a", "0", 1_000), None, "the oldest went");
        assert_eq!(
            parked.take("a", &(PARKED_PAGES + 4).to_string(), 1_000),
            Some(PARKED_PAGES + 4)
        );
        assert_eq!(
            parked.take("a", "10", 999),
            None,
            "parked in the future: not trusted"
        );
    }
}
