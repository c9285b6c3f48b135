//! Layouts the admin taught Keyward: on a console page its reader cannot read, the admin clicks the
//! Client ID's value, then the API key's, and Keyward keeps where each sits on that page — a
//! locator, the path of tags from the document down to the element, never the values — for that
//! page's address. Later visits read through the locators first; when they no longer find values
//! of the right shapes, the reader reads the page by itself and the page says so.
//!
//! Kept in `storage.local` under [`STORAGE_KEY`], read back as untrusted input like every stored
//! record.

use serde::{Deserialize, Serialize};

use crate::core::console::reader::{value_in, Field, Value};
use crate::core::console::snapshot::script::MAX_STEPS;
use crate::core::shared::wire::Lenient;

/// The storage key of the taught layouts.
pub const STORAGE_KEY: &str = "layouts";
/// Pages Keyward keeps a layout for at most (the oldest taught goes first).
pub const MAX_PAGES: usize = 20;
/// A locator's length at most (its steps: `script::MAX_STEPS`).
const MAX_LOCATOR: usize = 1_024;

/// Where an element sits in a page: `html>body:0>div:2>#shadow>span:0`, each step a tag and its
/// index among its parent's children of that tag, `#shadow` into an open shadow root, `#frame`
/// into a same-origin frame's document. The content script writes and resolves them.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Locator(String);

impl Locator {
    /// A locator of the content script's form, or `None` (what a page or storage sent is untrusted).
    pub fn parse(text: &str) -> Option<Locator> {
        let steps: Vec<&str> = text.split('>').collect();
        let step_ok = |s: &&str| match *s {
            "#shadow" | "#frame" => true,
            _ => {
                let (tag, index) = s.split_once(':').unwrap_or((s, "0"));
                !tag.is_empty()
                    && tag.len() <= 64
                    && tag
                        .bytes()
                        .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
                    && !index.is_empty()
                    && index.len() <= 5
                    && index.bytes().all(|b| b.is_ascii_digit())
            }
        };
        (text.len() <= MAX_LOCATOR && steps.len() <= MAX_STEPS && steps.iter().all(step_ok))
            .then(|| Locator(text.to_string()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl TryFrom<String> for Locator {
    type Error = &'static str;
    fn try_from(text: String) -> Result<Locator, &'static str> {
        Locator::parse(&text).ok_or("not a locator")
    }
}

impl From<Locator> for String {
    fn from(locator: Locator) -> String {
        locator.0
    }
}

/// The address a layout is kept for: the page's origin, path and in-app route, without its query
/// (which may carry a session's values).
pub fn page_key(url: &str) -> String {
    let (base, route) = url.split_once('#').unwrap_or((url, ""));
    let base = base.split_once('?').map_or(base, |(b, _)| b);
    let route = route.split_once('?').map_or(route, |(r, _)| r);
    format!("{base}#{route}")
}

/// One page's taught layout.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct TaughtLayout {
    pub page: String,
    pub client_id: Locator,
    pub api_key: Locator,
    pub taught_ms: u64,
}

/// Every taught layout, oldest first.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(from = "StoredLayouts")]
pub struct Layouts {
    pub pages: Vec<TaughtLayout>,
}

/// The stored record as read: a layout that cannot be read is left out, and so is any past the cap.
#[derive(Deserialize)]
struct StoredLayouts {
    #[serde(default)]
    pages: Vec<Lenient<TaughtLayout>>,
}

impl From<StoredLayouts> for Layouts {
    fn from(stored: StoredLayouts) -> Layouts {
        let mut pages: Vec<TaughtLayout> = stored.pages.into_iter().filter_map(|l| l.0).collect();
        pages.truncate(MAX_PAGES);
        Layouts { pages }
    }
}

impl Layouts {
    /// The layout taught for the page at `url`.
    pub fn for_url(&self, url: &str) -> Option<&TaughtLayout> {
        let key = page_key(url);
        self.pages.iter().find(|l| l.page == key)
    }

    /// Keeps a layout for the page at `url`, in place of any taught before.
    pub fn teach(&mut self, url: &str, client_id: Locator, api_key: Locator, now_ms: u64) {
        let page = page_key(url);
        self.pages.retain(|l| l.page != page);
        if self.pages.len() >= MAX_PAGES {
            self.pages.remove(0);
        }
        self.pages.push(TaughtLayout {
            page,
            client_id,
            api_key,
            taught_ms: now_ms,
        });
    }
}

/// What the page asks while the admin shows Keyward its fields.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct TeachPlan {
    pub prompt: String,
    /// Why the last click was not taken.
    pub error: Option<String>,
}

/// A line Keyward adds to a page it could not read, after the item `anchor` (else at the top).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PageNotice {
    pub anchor: Option<usize>,
    pub text: String,
}

pub const NOT_READ: &str = "Keyward could not read this page\u{2019}s Client ID and API key. Show it where they are, once, and it reads this page from then on.";
pub const STALE: &str =
    "The layout you showed Keyward no longer matches this page. Show it the fields again.";

/// Which value the admin is asked to show next.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Teaching {
    ClientId {
        error: Option<&'static str>,
    },
    ApiKey {
        client_id: Locator,
        error: Option<&'static str>,
    },
}

/// What the content script reports of a click while Keyward learns a page: where the element is,
/// what it shows, and whether that is hidden (a password field, bullets).
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Pick {
    pub locator: String,
    pub text: String,
    #[serde(default)]
    pub masked: bool,
}

/// The picked text may be the key: it never prints.
impl std::fmt::Debug for Pick {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Pick")
            .field("locator", &self.locator)
            .field("masked", &self.masked)
            .finish()
    }
}

/// What came of a pick.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Picked {
    /// Go on to the next value (or retry this one, told why).
    Next(Teaching),
    /// Both values shown: the layout to keep.
    Learned {
        client_id: Locator,
        api_key: Locator,
    },
}

const NOT_AN_ID: &str = "That is not a Client ID: click the value that looks like 910a2dec-8902-4cc1-beeb-8da1658eec67.";
const NOT_A_KEY: &str =
    "That is not an API key: click the key itself (a long run of letters and digits).";
const SAME_PLACE: &str = "That is the Client ID: click the API key's value.";

/// Checks a click against the value asked for: its shape (a key may be hidden), and where it is.
pub fn pick(teaching: Teaching, pick: &Pick) -> Picked {
    let locator = Locator::parse(&pick.locator);
    match teaching {
        Teaching::ClientId { .. } => {
            match (locator, value_in(Field::ClientId, &pick.text, false)) {
                (Some(client_id), Value::Shaped(_)) => Picked::Next(Teaching::ApiKey {
                    client_id,
                    error: None,
                }),
                _ => Picked::Next(Teaching::ClientId {
                    error: Some(NOT_AN_ID),
                }),
            }
        }
        Teaching::ApiKey { client_id, .. } => {
            let value = value_in(Field::ApiKey, &pick.text, pick.masked);
            match locator {
                Some(api_key) if api_key == client_id => Picked::Next(Teaching::ApiKey {
                    client_id,
                    error: Some(SAME_PLACE),
                }),
                Some(api_key) if matches!(value, Value::Shaped(_) | Value::Masked) => {
                    Picked::Learned { client_id, api_key }
                }
                _ => Picked::Next(Teaching::ApiKey {
                    client_id,
                    error: Some(NOT_A_KEY),
                }),
            }
        }
    }
}

impl Teaching {
    /// What the page asks of the admin.
    pub fn prompt(&self) -> &'static str {
        match self {
            Teaching::ClientId { .. } => "Click the Client ID\u{2019}s value on the page.",
            Teaching::ApiKey { .. } => "Now click the API key\u{2019}s value (it may be hidden).",
        }
    }

    pub fn error(&self) -> Option<&'static str> {
        match self {
            Teaching::ClientId { error } | Teaching::ApiKey { error, .. } => *error,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const ID: &str = "910a2dec-8902-4cc1-beeb-8da1658eec67";
    const KEY: &str = "ypXgXhWmbuoCGLzxQiqkDEVP9ZTmIs";

    fn click(locator: &str, text: &str, masked: bool) -> Pick {
        Pick {
            locator: locator.into(),
            text: text.into(),
            masked,
        }
    }

    #[test]
    fn locators_are_paths_of_tags_and_nothing_else() {
        for ok in [
            "html",
            "html>body:0>div:12>#shadow>span:0",
            "html>body:0>iframe:1>#frame>html>body:0>cds-table-cell:3",
        ] {
            assert!(Locator::parse(ok).is_some(), "{ok}");
        }
        for bad in [
            "",
            "html>",
            "html>Div:1",
            "html>div:-1",
            "html>div:1x",
            "html>script:0'",
            &"a:0>".repeat(200),
        ] {
            assert!(Locator::parse(bad).is_none(), "{bad}");
        }
    }

    #[test]
    fn a_page_is_kept_by_its_address_without_its_query() {
        assert_eq!(
            page_key("https://admin.pingone.com/web-portal/cas/config?session=s#/setup/api?x=1"),
            "https://admin.pingone.com/web-portal/cas/config#/setup/api"
        );
        let mut layouts = Layouts::default();
        let at = |s: &str| Locator::parse(s).expect("a locator");
        for n in 0..MAX_PAGES + 3 {
            layouts.teach(
                &format!("https://c/{n}#/a"),
                at("html"),
                at("html>body:0"),
                n as u64,
            );
        }
        assert_eq!(layouts.pages.len(), MAX_PAGES, "the oldest go past the cap");
        assert!(layouts.for_url("https://c/0#/a").is_none());
        assert!(layouts.for_url("https://c/22?q=1#/a").is_some());
    }

    #[test]
    fn a_pick_is_checked_for_the_value_asked() {
        let first = Teaching::ClientId { error: None };
        assert_eq!(
            pick(first.clone(), &click("html>b:0", "Client ID", false)),
            Picked::Next(Teaching::ClientId {
                error: Some(NOT_AN_ID)
            })
        );
        let Picked::Next(second) = pick(first, &click("html>b:0", ID, false)) else {
            panic!("the id is taken");
        };
        assert!(matches!(second, Teaching::ApiKey { error: None, .. }));
        assert!(matches!(
            pick(second.clone(), &click("html>b:0", KEY, false)),
            Picked::Next(Teaching::ApiKey {
                error: Some(SAME_PLACE),
                ..
            })
        ));
        assert!(matches!(
            pick(second.clone(), &click("html>i:0", "n/a", false)),
            Picked::Next(Teaching::ApiKey {
                error: Some(NOT_A_KEY),
                ..
            })
        ));
        assert!(matches!(
            pick(second.clone(), &click("html>i:0", "<img>", false)),
            Picked::Next(Teaching::ApiKey { .. })
        ));
        assert!(matches!(
            pick(second.clone(), &click("html>i:0", "", true)),
            Picked::Learned { .. }
        ));
        assert!(matches!(
            pick(second, &click("html>i:0", KEY, false)),
            Picked::Learned { .. }
        ));
        assert!(!format!("{:?}", click("x", KEY, false)).contains(KEY));
    }

    #[test]
    fn stored_layouts_are_read_leniently() {
        let read: Layouts = serde_json::from_value(serde_json::json!({"pages": [
            {"page": "p", "client_id": "html", "api_key": "html>body:0", "taught_ms": 1},
            {"page": "q", "client_id": "<script>", "api_key": "html", "taught_ms": 1},
            "nonsense"
        ]}))
        .expect("reads");
        assert_eq!(read.pages.len(), 1);
        assert_eq!(read.pages[0].page, "p");
    }
}
