//! Reading the admin console: which page a snapshot shows, and the Directory credential on it.
//!
//! The content script sends a compact, layout-neutral snapshot: headings, visible button labels, and
//! label/value pairs gathered from tables, labelled inputs, definition lists and "Label: value" text.
//! Reading fields costs the page's main thread, so on most console pages it first sends only a
//! glance (headings and the page's text), and reads the fields when [`wants_fields`] says the text
//! could hold a label that matters.
//! Nobody outside Ping has published the real page's markup, so nothing here depends on a DOM: it
//! matches wording ("API Credentials" or "Credentials"; "Client ID"; "API Key" or "API key:"), refuses
//! the SSO "REST API Client ID/Secret" screen, never guesses a masked key, and reads nothing from a
//! layout it does not recognise.

use serde::{Deserialize, Serialize};

/// What the content script saw. Every field is optional so odd pages still decode.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct Snapshot {
    pub url: String,
    pub title: String,
    pub headings: Vec<String>,
    pub buttons: Vec<String>,
    pub pairs: Vec<Pair>,
    /// The page's text (its body's `textContent`), cut at the content script's limit.
    pub text: String,
    /// `text` was cut short.
    pub text_truncated: bool,
    /// Only a glance: the content script read no buttons and no pairs.
    pub glance: bool,
}

/// A label and the value shown next to it.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct Pair {
    pub label: String,
    pub value: String,
    /// `type` of the input the value came from (`password` means masked), if any.
    pub input_type: Option<String>,
}

/// The most the reader looks at, so a hostile page cannot make it work hard.
const MAX_PAIRS: usize = 200;
const MAX_TEXT: usize = 512;

/// What a console page is, as far as Keyward is concerned.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum PageKind {
    /// A console page that is not the API Credentials page; `name` is its heading, if any.
    Console { name: Option<String> },
    /// The SSO for SaaS Apps REST API credentials screen: never the Directory credential.
    SsoCredentials,
    /// The API Credentials page.
    Credentials(Reading),
}

/// What could be read on the API Credentials page.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Reading {
    /// Pair index of the Client ID (where helpers anchor).
    pub client_id_at: usize,
    pub client_id: Result<String, ReadProblem>,
    /// Pair index of the API key, if a key field was found.
    pub key_at: Option<usize>,
    pub key: KeyState,
    /// The page is in Edit mode (Renew/Save/Cancel are shown).
    pub editing: bool,
}

/// The API key field's state.
#[derive(Clone, PartialEq, Eq)]
pub enum KeyState {
    Shown(String),
    /// Masked: reveal it to enable the key helpers.
    Hidden,
    /// No key field, or one that holds something that is not a key.
    Unreadable,
}

impl std::fmt::Debug for KeyState {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            KeyState::Shown(_) => f.write_str("Shown(<redacted>)"),
            KeyState::Hidden => f.write_str("Hidden"),
            KeyState::Unreadable => f.write_str("Unreadable"),
        }
    }
}

/// Why a value was not accepted.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ReadProblem {
    /// The Client ID field holds something that is not an id.
    NotAnId,
}

/// Lower-cases, trims, drops a trailing colon and collapses inner whitespace: "API key:" → "api key".
/// ASCII case only: the labels Keyward knows are ASCII, and Unicode lower-casing would let a
/// look-alike such as the Kelvin sign (`K`, U+212A) pass for `k`.
pub fn normalize_label(label: &str) -> String {
    let clipped: String = label
        .chars()
        .take(MAX_TEXT)
        .filter(|c| !is_invisible(*c))
        .collect();
    let words: Vec<&str> = clipped.split_whitespace().collect();
    words
        .join(" ")
        .trim_end_matches(':')
        .trim()
        .to_ascii_lowercase()
}

/// Zero-width and bidi controls: a page could use them to make two labels look alike.
fn is_invisible(c: char) -> bool {
    matches!(c, '\u{200b}'..='\u{200f}' | '\u{202a}'..='\u{202e}' | '\u{2060}'..='\u{2064}' | '\u{feff}')
}

fn is_client_id_label(label: &str) -> bool {
    matches!(
        label,
        "client id" | "clientid" | "client-id" | "api client id"
    )
}

fn is_api_key_label(label: &str) -> bool {
    matches!(label, "api key" | "apikey" | "api-key" | "key")
}

/// Labels of the SSO screen's credentials, which must never be read.
fn is_sso_label(label: &str) -> bool {
    label.contains("rest api") || label.contains("client secret") || label.contains("secret")
}

fn is_mask(value: &str) -> bool {
    let v = value.trim();
    !v.is_empty()
        && v.chars().all(|c| {
            matches!(c, '•' | '●' | '*' | '·' | '∙' | '⁕' | '○' | 'x' | 'X') || c.is_whitespace()
        })
}

/// A Client ID: the account's UUID (or, as in the docs' examples, hyphenated alphanumerics).
pub fn client_id(value: &str) -> Result<String, ReadProblem> {
    let v = value.trim();
    let ok = (4..=64).contains(&v.len())
        && v.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
        && v.chars().any(|c| c.is_ascii_digit());
    if ok {
        Ok(v.to_ascii_lowercase())
    } else {
        Err(ReadProblem::NotAnId)
    }
}

/// An API key: an opaque token of 8–256 visible ASCII characters without spaces (never validated
/// further; the format is not documented).
pub fn api_key(pair: &Pair) -> KeyState {
    if pair
        .input_type
        .as_deref()
        .is_some_and(|t| t.eq_ignore_ascii_case("password"))
        || is_mask(&pair.value)
    {
        return KeyState::Hidden;
    }
    let v = pair.value.trim();
    let ok = (8..=256).contains(&v.len())
        && v.chars().all(|c| c.is_ascii_graphic())
        && !v.contains(['<', '>', '"', '\'']);
    if ok {
        KeyState::Shown(v.to_string())
    } else {
        KeyState::Unreadable
    }
}

/// Words inside every label and heading that can make `classify` say more than "a console page": a
/// Client ID label, the SSO screen's labels ("REST API…", "…Secret") and headings ("…Credentials").
/// The content script reads a label or heading by joining whole text nodes, so each of these words
/// lies within one text node and shows in the page's text as it is, whatever the layout.
const FIELD_WORDS: [&str; 4] = ["client", "secret", "rest", "credentials"];

/// Whether the page's fields must be read, or a glance at it tells all `classify` could.
/// Errs towards reading: a cut-short text always asks for the fields.
pub fn wants_fields(snapshot: &Snapshot) -> bool {
    if snapshot.text_truncated {
        return true;
    }
    // As `normalize_label` does: invisible characters do not split a word, and case is ASCII-only.
    let text: String = snapshot
        .text
        .chars()
        .filter(|c| !is_invisible(*c))
        .map(|c| c.to_ascii_lowercase())
        .collect();
    FIELD_WORDS.iter().any(|word| text.contains(word))
}

/// Classifies a console page snapshot.
pub fn classify(snapshot: &Snapshot) -> PageKind {
    let pairs = &snapshot.pairs[..snapshot.pairs.len().min(MAX_PAIRS)];
    let labels: Vec<String> = pairs.iter().map(|p| normalize_label(&p.label)).collect();
    let headings: Vec<String> = snapshot
        .headings
        .iter()
        .take(50)
        .map(|h| normalize_label(h))
        .collect();
    let sso_heading = headings.iter().any(|h| {
        h.contains("global credentials")
            || h.contains("connection api credentials")
            || h.contains("application credentials")
    });
    if sso_heading || labels.iter().any(|l| is_sso_label(l)) {
        return PageKind::SsoCredentials;
    }
    let client_at = labels.iter().position(|l| is_client_id_label(l));
    let key_at = labels.iter().position(|l| is_api_key_label(l));
    let credentials_heading = headings
        .iter()
        .any(|h| h == "api credentials" || h == "credentials");
    match client_at {
        // A Client ID beside an API key, or on a page headed (API) Credentials.
        Some(client_id_at) if key_at.is_some() || credentials_heading => {
            let buttons: Vec<String> = snapshot
                .buttons
                .iter()
                .take(100)
                .map(|b| normalize_label(b))
                .collect();
            let editing = buttons.iter().any(|b| b == "renew" || b == "save");
            PageKind::Credentials(Reading {
                client_id_at,
                client_id: client_id(&pairs[client_id_at].value),
                key_at,
                key: key_at.map_or(KeyState::Unreadable, |i| api_key(&pairs[i])),
                editing,
            })
        }
        _ => PageKind::Console {
            name: snapshot
                .headings
                .iter()
                .map(|h| h.chars().take(80).collect::<String>().trim().to_string())
                .find(|h| !h.is_empty()),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const ID: &str = "910a2dec-8902-4cc1-beeb-8da1658eec67";
    const KEY: &str = "ypXgXhWmbuoCGLzxQiqkDEVP9ZTmIs";

    fn pair(label: &str, value: &str) -> Pair {
        Pair {
            label: label.into(),
            value: value.into(),
            input_type: None,
        }
    }

    fn snap(headings: &[&str], buttons: &[&str], pairs: Vec<Pair>) -> Snapshot {
        Snapshot {
            url: "https://admin.pingone.com/web-portal/cas/config".into(),
            title: "PingOne".into(),
            headings: headings.iter().map(|s| s.to_string()).collect(),
            buttons: buttons.iter().map(|s| s.to_string()).collect(),
            pairs,
            ..Snapshot::default()
        }
    }

    fn read(s: &Snapshot) -> Option<(Result<String, ReadProblem>, KeyState, bool)> {
        match classify(s) {
            PageKind::Credentials(r) => Some((r.client_id, r.key, r.editing)),
            _ => None,
        }
    }

    /// Credentials pages in every layout and wording the reader knows, and what it reads there.
    fn layouts() -> Vec<(
        &'static str,
        Snapshot,
        Option<(Result<String, ReadProblem>, KeyState, bool)>,
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
                Some((Ok(ID.into()), shown.clone(), false)),
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
                Some((Ok(ID.into()), shown.clone(), false)),
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
                Some((Ok(ID.into()), KeyState::Hidden, false)),
            ),
            (
                "bullets",
                snap(
                    &["API Credentials"],
                    &["Show"],
                    vec![pair("Client ID", ID), pair("API Key", "••••••••••")],
                ),
                Some((Ok(ID.into()), KeyState::Hidden, false)),
            ),
            (
                "asterisks",
                snap(
                    &[],
                    &[],
                    vec![pair("client id", ID), pair("api key", "**** ****")],
                ),
                Some((Ok(ID.into()), KeyState::Hidden, false)),
            ),
            (
                "edit mode",
                snap(
                    &["API Credentials"],
                    &["Renew", "Save", "Cancel"],
                    vec![pair("Client ID", ID), pair("API Key", KEY)],
                ),
                Some((Ok(ID.into()), shown.clone(), true)),
            ),
            (
                "no key field, credentials heading",
                snap(&["API Credentials"], &[], vec![pair("Client ID", ID)]),
                Some((Ok(ID.into()), KeyState::Unreadable, false)),
            ),
            (
                "odd spacing and case",
                snap(
                    &[" api  CREDENTIALS "],
                    &[],
                    vec![pair("  CLIENT   ID : ", ID), pair("Api Key", KEY)],
                ),
                Some((Ok(ID.into()), shown.clone(), false)),
            ),
            (
                "uppercase uuid",
                snap(
                    &[],
                    &[],
                    vec![pair("Client ID", &ID.to_uppercase()), pair("API Key", KEY)],
                ),
                Some((Ok(ID.into()), shown.clone(), false)),
            ),
            (
                "the docs' example id",
                snap(
                    &[],
                    &[],
                    vec![
                        pair("Client ID", "1234-aaaa-bbbb-5678"),
                        pair("API Key", "eXJzbmVha3kh"),
                    ],
                ),
                Some((
                    Ok("1234-aaaa-bbbb-5678".into()),
                    KeyState::Shown("eXJzbmVha3kh".into()),
                    false,
                )),
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
                Some((Err(ReadProblem::NotAnId), shown.clone(), false)),
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
                Some((Ok(ID.into()), KeyState::Unreadable, false)),
            ),
            (
                "key with spaces",
                snap(
                    &[],
                    &[],
                    vec![pair("Client ID", ID), pair("API Key", "not a key at all")],
                ),
                Some((Ok(ID.into()), KeyState::Unreadable, false)),
            ),
            (
                "huge value",
                snap(
                    &[],
                    &[],
                    vec![pair("Client ID", ID), pair("API Key", &"A".repeat(10_000))],
                ),
                Some((Ok(ID.into()), KeyState::Unreadable, false)),
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
        let pairs = s.pairs.iter().flat_map(|p| [&p.label, &p.value]);
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
                name: Some("Dashboard".into())
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
            matches!(classify(&kelvin), PageKind::Credentials(r) if r.key_at.is_none()),
            "a look-alike letter (the Kelvin sign) is not read as `k`: no key is read"
        );
        assert!(matches!(
            classify(&Snapshot::default()),
            PageKind::Console { name: None }
        ));
    }

    #[test]
    fn snapshots_decode_leniently() {
        use serde_json::{from_value, json};
        let s: Snapshot = from_value(json!({"url":"x","pairs":[{"label":"Client ID"}],"extra":1}))
            .expect("decodes");
        assert_eq!(s.pairs[0].value, "");
        assert!(from_value::<Snapshot>(json!({"pairs": "nope"})).is_err());
        assert!(from_value::<Snapshot>(json!({"pairs": [{"label": 1}]})).is_err());
    }

    #[test]
    fn the_key_never_shows_in_debug_output() {
        assert!(!format!("{:?}", KeyState::Shown(KEY.into())).contains(KEY));
    }
}
