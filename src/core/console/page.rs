//! Reading the admin console: which page a snapshot shows, and the Directory credential on it.
//!
//! The content script sends a compact, layout-neutral snapshot. Reading fields costs the page's
//! main thread, so on most console pages it first sends only a glance (the first heading, the
//! page's text, its URL and title), and reads the fields — [`Item`]s in document order — with the
//! field reader the worker then loads, when [`wants_fields`] says the page could show a
//! credential. Nobody outside Ping has published the real page's markup, so nothing here depends
//! on a DOM: [`crate::core::console::reader`] finds the values by their labels and shapes, this
//! module names the page (the API Credentials page, the SSO "REST API Client ID/Secret"
//! decoy, any other console page) from what it found and from the page's wording.

use crate::core::console::reader::{self, value_in, Confidence, Field, Found, Value};
pub use crate::core::console::snapshot::{row_items, script, Cell, Input, Item, Snapshot};

/// What a console page is, as far as Keyward is concerned.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum PageKind {
    /// A console page that is not the API Credentials page; `name` is its heading, if any.
    /// `shows_credential`: it shows one Client ID and a key (or a hidden one) that Keyward could
    /// not pair with labels it knows (a console in another language, say): the admin may show
    /// Keyward the fields.
    Console {
        name: Option<String>,
        shows_credential: bool,
    },
    /// Another product's credentials (the SSO for SaaS Apps REST API's): never read.
    SsoCredentials,
    /// The API Credentials page.
    Credentials(Reading),
}

/// What could be read on the API Credentials page.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Reading {
    pub client_id: ClientIdState,
    pub key: KeyState,
    /// A renewed key shown before Save, beside the key in force.
    pub new_key: KeyState,
    /// The item the helpers follow (the key's field, else the Client ID's).
    pub anchor: usize,
    /// The page is in Edit mode (Renew/Save/Cancel are shown).
    pub editing: bool,
    /// Values left out for their context (examples, help, code samples).
    pub ignored: usize,
    /// How a taught layout fared on this page.
    pub taught: Taught,
}

/// Whether the page was read through a layout the admin taught.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Taught {
    /// None is taught for this page.
    #[default]
    No,
    /// Read through it.
    Used,
    /// Taught, but it no longer finds values of the right shapes: the reader read the page.
    Stale,
}

/// The Client ID field's state.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ClientIdState {
    Read {
        id: String,
        confidence: Confidence,
    },
    /// Two different ids qualify: Keyward takes neither.
    Ambiguous,
    /// No labelled UUID.
    NotRecognised,
}

/// The API key field's state.
#[derive(Clone, PartialEq, Eq)]
pub enum KeyState {
    Shown(String),
    /// Masked: reveal it to enable the key helpers.
    Hidden,
    /// Two different keys qualify: Keyward takes neither.
    Ambiguous,
    /// No key field, or one that holds something that is not a key.
    Unreadable,
}

impl std::fmt::Debug for KeyState {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            KeyState::Shown(_) => f.write_str("Shown(<redacted>)"),
            KeyState::Hidden => f.write_str("Hidden"),
            KeyState::Ambiguous => f.write_str("Ambiguous"),
            KeyState::Unreadable => f.write_str("Unreadable"),
        }
    }
}

impl KeyState {
    fn from_found(found: &Found) -> KeyState {
        match found {
            Found::Value { value, .. } => KeyState::Shown(value.clone()),
            Found::Masked { .. } => KeyState::Hidden,
            Found::Ambiguous => KeyState::Ambiguous,
            Found::Unreadable { .. } | Found::Missing => KeyState::Unreadable,
        }
    }
}

fn anchor_of(found: &Found) -> Option<usize> {
    match found {
        Found::Value { at, .. } | Found::Masked { at } | Found::Unreadable { at } => Some(*at),
        _ => None,
    }
}

/// Words inside every label and heading that can make `classify` say more than "a console page": a
/// Client ID label, the SSO screen's labels ("REST API…", "…Secret") and headings ("…Credentials").
/// The content script reads a label or heading by joining whole text nodes, so each of these words
/// lies within one text node and shows in the page's text as it is, whatever the layout. The URL
/// counts too: a page whose fields are in a shadow root shows none of its text in a glance.
const FIELD_WORDS: [&str; 4] = ["client", "secret", "rest", "credential"];

/// Whether the page's fields must be read, or a glance at it tells all `classify` could.
/// Errs towards reading: a cut-short text always asks for the fields.
pub fn wants_fields(snapshot: &Snapshot) -> bool {
    if snapshot.text_truncated {
        return true;
    }
    // As the reader does: invisible characters do not split a word, and case is ASCII-only.
    let seen = [&snapshot.text, &snapshot.title, &snapshot.url];
    seen.iter().any(|text| {
        let text: String = text
            .chars()
            .filter(|c| !reader::is_invisible(*c))
            .map(|c| c.to_ascii_lowercase())
            .collect();
        FIELD_WORDS.iter().any(|word| text.contains(word))
    })
}

/// Classifies a console page snapshot.
pub fn classify(snapshot: &Snapshot) -> PageKind {
    let all = &snapshot.items;
    // The page's own items, and after them what a taught layout's locators found.
    let split = all.iter().position(Item::is_located).unwrap_or(all.len());
    let (items, located) = all.split_at(split);
    // The document's headings, and those a full read found in frames, shadow roots, dialogs and tabs.
    let headings: Vec<String> = snapshot
        .headings
        .iter()
        .take(script::MAX_HEADINGS)
        .chain(
            items
                .iter()
                .filter(|i| i.is_heading())
                .map(|i| &i.text)
                .take(script::MAX_HEADINGS),
        )
        .map(|h| reader::label_key(h))
        .collect();
    let sso_heading = headings.iter().any(|h| {
        h.contains("global credentials")
            || h.contains("connection api credentials")
            || h.contains("application credentials")
    });
    let fields = reader::read(items);
    if sso_heading || fields.decoy {
        return PageKind::SsoCredentials;
    }
    let buttons: Vec<String> = snapshot
        .buttons
        .iter()
        .take(script::MAX_BUTTONS)
        .map(|b| reader::label_key(b))
        .collect();
    let editing = buttons.iter().any(|b| b == "renew" || b == "save");
    // A layout the admin taught comes first; the reader reads the page when it finds nothing.
    let taught = match taught_reading(located) {
        Some((id, key)) => {
            return PageKind::Credentials(Reading {
                client_id: ClientIdState::Read {
                    id,
                    confidence: Confidence::Labelled,
                },
                key,
                new_key: KeyState::from_found(&fields.new_key),
                // The content script anchors its located elements as it numbers the items.
                anchor: all.len() - 1,
                editing,
                ignored: 0,
                taught: Taught::Used,
            });
        }
        None if located.is_empty() => Taught::No,
        None => Taught::Stale,
    };
    let credentials_heading = headings
        .iter()
        .any(|h| h == "api credentials" || h == "credentials");
    let key_field = !matches!(fields.key, Found::Missing);
    let client_labelled = !matches!(fields.client_id, Found::Missing);
    let client_id = match &fields.client_id {
        Found::Value {
            value, confidence, ..
        } => ClientIdState::Read {
            id: value.clone(),
            confidence: *confidence,
        },
        Found::Ambiguous => ClientIdState::Ambiguous,
        Found::Masked { .. } | Found::Unreadable { .. } | Found::Missing => {
            ClientIdState::NotRecognised
        }
    };
    // The Directory credential: a Client ID beside an API key, on a page headed (API)
    // Credentials, or where a taught layout is; a page headed so whose fields cannot be read says
    // that much.
    let is_credentials =
        credentials_heading || (key_field && client_labelled) || taught != Taught::No;
    if !is_credentials {
        // The content script sends headings as the page has them: whitespace is made one space here.
        return PageKind::Console {
            name: snapshot
                .headings
                .iter()
                .map(|h| {
                    reader::normalize(h)
                        .chars()
                        .take(script::MAX_LABEL)
                        .collect::<String>()
                })
                .find(|h| !h.is_empty()),
            shows_credential: reader::shows_unlabelled_credential(items),
        };
    }
    PageKind::Credentials(Reading {
        client_id,
        key: KeyState::from_found(&fields.key),
        new_key: KeyState::from_found(&fields.new_key),
        anchor: anchor_of(&fields.key)
            .or(anchor_of(&fields.client_id))
            .unwrap_or(0),
        editing,
        ignored: fields.ignored,
        taught,
    })
}

/// The Client ID and key where a taught layout points, when both are there and of their shapes
/// (the key may be hidden).
fn taught_reading(located: &[Item]) -> Option<(String, KeyState)> {
    let [id, key] = located else {
        return None;
    };
    if located.iter().any(|l| l.marked("missing")) {
        return None;
    }
    let Value::Shaped(id) = value_in(Field::ClientId, &id.text, false) else {
        return None;
    };
    let masked = key
        .input
        .as_ref()
        .is_some_and(|i| i.kind.eq_ignore_ascii_case("password"));
    match value_in(Field::ApiKey, &key.text, masked) {
        Value::Shaped(k) => Some((id, KeyState::Shown(k))),
        Value::Masked => Some((id, KeyState::Hidden)),
        Value::Unshaped => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const ID: &str = "910a2dec-8902-4cc1-beeb-8da1658eec67";
    const KEY: &str = "ypXgXhWmbuoCGLzxQiqkDEVP9ZTmIs";

    /// A label and the value beside it (a form field's type, if it is one).
    struct Pair {
        label: String,
        value: String,
        input_type: Option<String>,
    }

    fn pair(label: &str, value: &str) -> Pair {
        Pair {
            label: label.into(),
            value: value.into(),
            input_type: None,
        }
    }

    fn snap(headings: &[&str], buttons: &[&str], pairs: Vec<Pair>) -> Snapshot {
        let rows: Vec<(&str, &str, Option<&str>)> = pairs
            .iter()
            .map(|p| (p.label.as_str(), p.value.as_str(), p.input_type.as_deref()))
            .collect();
        Snapshot {
            url: "https://admin.pingone.com/web-portal/cas/config".into(),
            title: "PingOne".into(),
            headings: headings.iter().map(|s| s.to_string()).collect(),
            buttons: buttons.iter().map(|s| s.to_string()).collect(),
            items: row_items(&rows),
            ..Snapshot::default()
        }
    }

    /// The Client ID read (or `None`), the key's state, and Edit mode, on a credentials page.
    fn read(s: &Snapshot) -> Option<(Option<String>, KeyState, bool)> {
        match classify(s) {
            PageKind::Credentials(r) => {
                let id = match r.client_id {
                    ClientIdState::Read { id, .. } => Some(id),
                    _ => None,
                };
                Some((id, r.key, r.editing))
            }
            _ => None,
        }
    }

    /// Credentials pages in every layout and wording the reader knows, and what it reads there.
    fn layouts() -> Vec<(
        &'static str,
        Snapshot,
        Option<(Option<String>, KeyState, bool)>,
    )> {
        let shown = KeyState::Shown(KEY.into());
        vec![
            (
                "table",
                snap(
                    &["API Credentials"],
                    &["Hide", "Edit"],
                    vec![pair("Client ID", ID), pair("API Key", KEY)],
                ),
                Some((Some(ID.into()), shown.clone(), false)),
            ),
            (
                "form with colons",
                snap(
                    &["Credentials"],
                    &["Show"],
                    vec![
                        pair("Client ID:", ID),
                        Pair {
                            label: "API key:".into(),
                            value: KEY.into(),
                            input_type: Some("text".into()),
                        },
                    ],
                ),
                Some((Some(ID.into()), shown.clone(), false)),
            ),
            (
                "masked input",
                snap(
                    &["Credentials"],
                    &[],
                    vec![
                        pair("Client ID:", ID),
                        Pair {
                            label: "API key:".into(),
                            value: KEY.into(),
                            input_type: Some("password".into()),
                        },
                    ],
                ),
                Some((Some(ID.into()), KeyState::Hidden, false)),
            ),
            (
                "bullets",
                snap(
                    &["API Credentials"],
                    &["Show"],
                    vec![pair("Client ID", ID), pair("API Key", "••••••••••")],
                ),
                Some((Some(ID.into()), KeyState::Hidden, false)),
            ),
            (
                "asterisks",
                snap(
                    &[],
                    &[],
                    vec![pair("client id", ID), pair("api key", "**** ****")],
                ),
                Some((Some(ID.into()), KeyState::Hidden, false)),
            ),
            (
                "edit mode",
                snap(
                    &["API Credentials"],
                    &["Renew", "Save", "Cancel"],
                    vec![pair("Client ID", ID), pair("API Key", KEY)],
                ),
                Some((Some(ID.into()), shown.clone(), true)),
            ),
            (
                "no key field, credentials heading",
                snap(&["API Credentials"], &[], vec![pair("Client ID", ID)]),
                Some((Some(ID.into()), KeyState::Unreadable, false)),
            ),
            (
                "odd spacing and case",
                snap(
                    &[" api  CREDENTIALS "],
                    &[],
                    vec![pair("  CLIENT   ID : ", ID), pair("Api Key", KEY)],
                ),
                Some((Some(ID.into()), shown.clone(), false)),
            ),
            (
                "uppercase uuid",
                snap(
                    &[],
                    &[],
                    vec![pair("Client ID", &ID.to_uppercase()), pair("API Key", KEY)],
                ),
                Some((Some(ID.into()), shown.clone(), false)),
            ),
            (
                // The docs' example values are no account's: not a UUID, a key too short.
                "the docs' example id",
                snap(
                    &[],
                    &[],
                    vec![
                        pair("Client ID", "1234-aaaa-bbbb-5678"),
                        pair("API Key", "eXJzbmVha3kh"),
                    ],
                ),
                Some((None, KeyState::Unreadable, false)),
            ),
            (
                "hostile client id",
                snap(
                    &["API Credentials"],
                    &[],
                    vec![
                        pair("Client ID", "<img src=x onerror=alert(1)>"),
                        pair("API Key", KEY),
                    ],
                ),
                Some((None, shown.clone(), false)),
            ),
            (
                "hostile key",
                snap(
                    &["API Credentials"],
                    &[],
                    vec![
                        pair("Client ID", ID),
                        pair("API Key", "<script>alert(1)</script>"),
                    ],
                ),
                Some((Some(ID.into()), KeyState::Unreadable, false)),
            ),
            (
                "key with spaces",
                snap(
                    &[],
                    &[],
                    vec![pair("Client ID", ID), pair("API Key", "not a key at all")],
                ),
                Some((Some(ID.into()), KeyState::Unreadable, false)),
            ),
            (
                "huge value",
                snap(
                    &[],
                    &[],
                    vec![pair("Client ID", ID), pair("API Key", &"A".repeat(10_000))],
                ),
                Some((Some(ID.into()), KeyState::Unreadable, false)),
            ),
        ]
    }

    #[test]
    fn reads_every_layout_and_wording() {
        for (name, snapshot, expected) in layouts() {
            assert_eq!(read(&snapshot), expected, "{name}");
        }
    }

    /// The page's text as `textContent` gives it: every text node joined with nothing between.
    fn text_content(s: &Snapshot) -> String {
        let pairs = s.items.iter().map(|i| &i.text);
        s.headings
            .iter()
            .chain(&s.buttons)
            .chain(pairs)
            .map(String::as_str)
            .collect()
    }

    fn glance(text: &str) -> Snapshot {
        Snapshot {
            text: text.into(),
            glance: true,
            ..Snapshot::default()
        }
    }

    #[test]
    fn a_glance_asks_for_the_fields_of_every_page_that_is_more_than_a_console_page() {
        let mut pages: Vec<(&str, Snapshot)> = layouts()
            .into_iter()
            .filter(|(_, _, read)| read.is_some())
            .map(|(name, s, _)| (name, s))
            .collect();
        pages.extend([
            (
                "sso",
                snap(
                    &["Global Credentials"],
                    &[],
                    vec![pair("REST API Client ID", ID)],
                ),
            ),
            (
                "sso heading only",
                snap(&["Application Credentials"], &[], vec![]),
            ),
            ("sso secret only", snap(&[], &[], vec![pair("Secret", KEY)])),
            (
                "sso rest label",
                snap(&[], &[], vec![pair("REST\u{200b} API", KEY)]),
            ),
            (
                "lookalike",
                snap(
                    &[],
                    &[],
                    vec![pair("Cli\u{200b}ent ID", ID), pair("API Key", KEY)],
                ),
            ),
        ]);
        for (name, page) in pages {
            assert!(
                !matches!(classify(&page), PageKind::Console { .. }),
                "{name} is a fixture of a special page"
            );
            assert!(wants_fields(&glance(&text_content(&page))), "{name}");
        }
    }

    #[test]
    fn a_glance_is_enough_for_plain_console_pages() {
        let cases = [
            (
                "Dashboard Welcome to PingOne for Enterprise. SSO activity: 1,204 sign-ons",
                false,
            ),
            ("Users User Directory: search, add and manage users.", false),
            ("", false),
            ("CLIENT", true),
            ("Cli\u{200b}ent", true),
            ("Client\u{2060}Secret", true),
            ("restore", true),
            ("Global Credentials", true),
            // Lower-casing is ASCII-only, as for labels: the Kelvin sign is not a `k`.
            ("\u{212a}ey", false),
        ];
        for (text, wanted) in cases {
            assert_eq!(wants_fields(&glance(text)), wanted, "{text:?}");
        }
        let cut_short = Snapshot {
            text_truncated: true,
            ..glance("Dashboard")
        };
        assert!(
            wants_fields(&cut_short),
            "text cut short might have hidden a label"
        );
    }

    #[test]
    fn decoys_and_other_pages_read_nothing() {
        let sso = snap(
            &["Global Credentials", "Connection API Credentials"],
            &[],
            vec![
                pair("REST API Client ID", ID),
                pair("REST API Client Secret", KEY),
            ],
        );
        assert_eq!(classify(&sso), PageKind::SsoCredentials);
        let sso_no_heading = snap(
            &[],
            &[],
            vec![pair("Client ID", ID), pair("Client Secret", KEY)],
        );
        assert_eq!(
            classify(&sso_no_heading),
            PageKind::SsoCredentials,
            "a secret label means the SSO screen"
        );
        let dashboard = snap(&["Dashboard"], &[], vec![]);
        assert_eq!(
            classify(&dashboard),
            PageKind::Console {
                name: Some("Dashboard".into()),
                shows_credential: false,
            }
        );
        let lone_client_id = snap(&["Applications"], &[], vec![pair("Client ID", ID)]);
        assert!(
            matches!(classify(&lone_client_id), PageKind::Console { .. }),
            "a Client ID alone (an app's) is not the credential"
        );
        let lookalike = snap(
            &["API Credentials"],
            &[],
            vec![pair("Client\u{200b} ID", ID), pair("API\u{202e} Key", KEY)],
        );
        assert!(
            matches!(classify(&lookalike), PageKind::Credentials(_)),
            "invisible characters are ignored, not trusted"
        );
        let kelvin = snap(
            &["API Credentials"],
            &[],
            vec![pair("Client ID", ID), pair("API \u{212a}ey", KEY)],
        );
        assert!(
            matches!(classify(&kelvin), PageKind::Credentials(r) if r.key == KeyState::Unreadable),
            "a look-alike letter (the Kelvin sign) is not read as `k`: no key is read"
        );
        assert!(matches!(
            classify(&Snapshot::default()),
            PageKind::Console { name: None, .. }
        ));
    }

    #[test]
    fn a_console_page_is_named_by_its_first_heading_with_words_as_a_person_reads_it() {
        // Headings arrive as the page has them: line breaks, indents, blanks before the first word.
        for (headings, name) in [
            (
                &["\n   User\n\t  Management \u{a0}"][..],
                Some("User Management"),
            ),
            (&["  \n ", "\u{200b}Dash\u{ad}board"][..], Some("Dashboard")),
            (&[" \n\t "][..], None),
            (&[][..], None),
        ] {
            let kind = classify(&snap(headings, &[], vec![]));
            assert!(
                matches!(&kind, PageKind::Console { name: n, .. } if n.as_deref() == name),
                "{headings:?}: {kind:?}"
            );
        }
        let long = format!("  {}", "word ".repeat(40));
        let PageKind::Console {
            name: Some(name), ..
        } = classify(&snap(&[&long], &[], vec![]))
        else {
            panic!("a long heading names the page");
        };
        assert_eq!(name.chars().count(), 80, "names are cut at 80 characters");
        assert!(name.starts_with("word word"));
    }

    #[test]
    fn snapshots_decode_leniently() {
        use serde_json::{from_value, json};
        let s: Snapshot = from_value(json!({"url":"x","items":[{"text":"Client ID"}],"extra":1}))
            .expect("decodes");
        assert_eq!(s.items[0].tag, "");
        assert!(from_value::<Snapshot>(json!({"items": "nope"})).is_err());
        assert!(from_value::<Snapshot>(json!({"items": [{"text": 1}]})).is_err());
    }

    #[test]
    fn the_key_never_shows_in_debug_output() {
        assert!(!format!("{:?}", KeyState::Shown(KEY.into())).contains(KEY));
    }
}
