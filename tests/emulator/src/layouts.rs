//! Credentials pages Keyward has never seen, generated from a seed, so its reader is tested on
//! variety rather than on the sandbox's few layouts. A page is a structural template (tables with
//! and without header rows, definition lists, labelled, wrapped and ARIA-named inputs, CSS grid and
//! flex rows, "Label: value" text, cards, ARIA grids…), text perturbations (case, invisible and
//! non-breaking characters, punctuation, values wrapped or split across inline elements, extra
//! cells and buttons, example credentials and noise nearby, a renewal in progress) and a delivery
//! (at once, seconds after an in-app navigation, in a same-origin frame, in an open shadow root,
//! masked then revealed). Decoys — other products' credentials — are mixed in.
//!
//! The emulator serves each page's spec as JSON (`GET /_emulator/layout?seed=S&index=N`), which
//! `www/layout.js` renders with DOM calls; native tests take the same spec directly. Each spec
//! carries the truth: the values shown, so a read can be judged right or wrong.

use serde::Serialize;

use crate::rng::Rng;

/// A node of a page: text, or an element.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(untagged)]
pub enum Node {
    Text(String),
    El(El),
}

/// An element: tag, attributes, children.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct El {
    pub tag: String,
    pub attrs: Vec<(String, String)>,
    pub children: Vec<Node>,
}

/// An element.
pub fn el(tag: &str, attrs: &[(&str, &str)], children: Vec<Node>) -> Node {
    Node::El(El {
        tag: tag.into(),
        attrs: attrs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect(),
        children,
    })
}

/// A text node.
pub fn text(s: &str) -> Node {
    Node::Text(s.into())
}

/// How the page delivers its credentials panel.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Delivery {
    /// In the page as it loads.
    Immediate,
    /// Rendered `delay_ms` after an in-app navigation to the credentials route.
    Late,
    /// In a same-origin frame.
    Frame,
    /// In an open shadow root of a custom element.
    Shadow,
    /// The key masked until a Show button is clicked.
    MaskedThenRevealed,
}

/// The structural templates.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Template {
    /// Rows of `th` label and `td` value.
    TableRows,
    /// Rows of `td` cells: label, value, then copy buttons and icons.
    TableExtraCells,
    /// A header row of labels over a row of values.
    TableColumns,
    /// `dl`/`dt`/`dd`.
    DefinitionList,
    /// `<label for>` and a read-only input.
    LabelFor,
    /// A label wrapping its read-only input.
    WrappingLabel,
    /// Read-only inputs named only by `aria-label`.
    AriaLabel,
    /// Read-only inputs named by `aria-labelledby` (the label elsewhere).
    AriaLabelledby,
    /// Read-only inputs named only by `title` or `placeholder`.
    TitlePlaceholder,
    /// One CSS grid of label and value cells.
    SiblingGrid,
    /// Flex rows: a label span, a value span, a button.
    FlexRows,
    /// "Label: value" lines (`p`, `li`), values in `code`.
    InlineText,
    /// A card per field: a small heading and the value under it.
    Cards,
    /// An ARIA grid of `div`s (`row`, `rowheader`, `cell`).
    AriaGrid,
}

impl Template {
    pub const ALL: [Template; 14] = [
        Template::TableRows,
        Template::TableExtraCells,
        Template::TableColumns,
        Template::DefinitionList,
        Template::LabelFor,
        Template::WrappingLabel,
        Template::AriaLabel,
        Template::AriaLabelledby,
        Template::TitlePlaceholder,
        Template::SiblingGrid,
        Template::FlexRows,
        Template::InlineText,
        Template::Cards,
        Template::AriaGrid,
    ];
}

/// A generated page and its truth.
#[derive(Clone, Debug, Serialize)]
pub struct Layout {
    pub seed: u64,
    pub index: u64,
    pub template: Template,
    pub delivery: Delivery,
    /// Another product's credentials: nothing may be read.
    pub decoy: bool,
    /// The Client ID shown.
    pub client_id: String,
    /// The key in force (shown unless masked).
    pub api_key: String,
    /// A renewed key shown beside it, before Save.
    pub new_key: Option<String>,
    /// Example credentials shown nearby (never to be read).
    pub examples: Vec<String>,
    /// The page's heading, outside the panel.
    pub heading: String,
    /// The credentials panel as first shown.
    pub panel: Node,
    /// The panel after Show (masked then revealed).
    pub revealed: Option<Node>,
    /// For a late render.
    pub delay_ms: u64,
    /// What was varied, for failure messages.
    pub variations: Vec<String>,
}

/// One value's labels and how it is written.
struct Look {
    client_label: String,
    key_label: String,
    new_key_label: String,
    /// How a value is wrapped: plain, in `code`/`tt`, padded, split in chunks.
    wrap: Wrap,
    extra_cells: bool,
}

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Wrap {
    Plain,
    Code,
    Tt,
    Padded,
    Chunks,
    Wbr,
}

const CLIENT_LABELS: [&str; 9] = [
    "Client ID",
    "CLIENT ID",
    "client id",
    "Client Id",
    "ClientID",
    "Client-ID",
    "API Client ID",
    "Directory API Client ID",
    "Client_ID",
];
const KEY_LABELS: [&str; 8] = [
    "API Key",
    "API key",
    "API KEY",
    "api key",
    "APIKey",
    "Api-Key",
    "Directory API Key",
    "Current API key",
];
const NEW_KEY_LABELS: [&str; 4] = [
    "New API key",
    "NEW API KEY",
    "Renewed API Key",
    "Pending API key",
];
const SUFFIXES: [&str; 5] = ["", ":", " :", "*", ":\u{a0}"];

/// Text as a person may have typed it: spaces sometimes non-breaking or doubled, an invisible
/// character inside a word now and then.
fn perturb(rng: &mut Rng, label: &str, variations: &mut Vec<String>) -> String {
    let mut out = String::new();
    for c in label.chars() {
        match c {
            ' ' if rng.unit() < 0.25 => {
                out.push('\u{a0}');
                variations.push("nbsp".into());
            }
            ' ' if rng.unit() < 0.15 => out.push_str("  "),
            c => out.push(c),
        }
        if c.is_alphabetic() && rng.unit() < 0.02 {
            out.push('\u{200b}');
            variations.push("zero-width".into());
        }
    }
    out
}

fn label(rng: &mut Rng, choices: &[&str], variations: &mut Vec<String>) -> String {
    let base = choices[rng.below(choices.len())];
    let suffix = SUFFIXES[rng.below(SUFFIXES.len())];
    // Now and then an info glyph after the label, as consoles show for a tooltip.
    let icon = if rng.unit() < 0.1 {
        variations.push("label icon".into());
        " ⓘ"
    } else {
        ""
    };
    format!("{}{icon}{suffix}", perturb(rng, base, variations))
}

/// A value as the page writes it, now and then with a copy glyph after it in the same box.
fn value(look: &Look, rng: &mut Rng, v: &str) -> Vec<Node> {
    let mut nodes = written(look, rng, v);
    if rng.unit() < 0.1 {
        nodes.push(text(" "));
        nodes.push(el("span", &[("aria-hidden", "true")], vec![text("⧉")]));
    }
    nodes
}

fn written(look: &Look, rng: &mut Rng, v: &str) -> Vec<Node> {
    match look.wrap {
        Wrap::Plain => vec![text(v)],
        Wrap::Code => vec![el("code", &[], vec![text(v)])],
        Wrap::Tt => vec![el("tt", &[], vec![text(v)])],
        Wrap::Padded => vec![text(&format!("\n      {v}  \n    "))],
        Wrap::Chunks => {
            let mut chunks = Vec::new();
            let mut rest = v;
            while !rest.is_empty() {
                let n = (4 + rng.below(8)).min(rest.len());
                let (chunk, tail) = rest.split_at(n);
                chunks.push(el("span", &[("class", "chunk")], vec![text(chunk)]));
                rest = tail;
            }
            vec![el("code", &[], chunks)]
        }
        Wrap::Wbr => {
            let mid = v.len() / 2;
            vec![text(&v[..mid]), el("wbr", &[], vec![]), text(&v[mid..])]
        }
    }
}

/// What a copy control next to a value looks like: a button, an icon, nothing.
fn extras(rng: &mut Rng) -> Vec<Node> {
    match rng.below(4) {
        0 => vec![el("button", &[("type", "button")], vec![text("Copy")])],
        1 => vec![el(
            "i",
            &[("class", "icon icon-copy"), ("aria-hidden", "true")],
            vec![],
        )],
        2 => vec![
            el(
                "button",
                &[("type", "button"), ("title", "Copy")],
                vec![text("⧉")],
            ),
            el("button", &[("type", "button")], vec![text("Regenerate")]),
        ],
        _ => vec![],
    }
}

/// The fields a panel shows: (label, value, masked).
struct Row {
    label: String,
    value: String,
    masked: bool,
}

fn rows_to_panel(
    template: Template,
    look: &Look,
    rows: &[Row],
    rng: &mut Rng,
    ids: &mut u32,
) -> Vec<Node> {
    let mut next_id = || {
        *ids += 1;
        format!("kwf{ids}")
    };
    let shown = |row: &Row, rng: &mut Rng| -> Vec<Node> {
        if row.masked {
            vec![el(
                "span",
                &[("class", "masked")],
                vec![text("••••••••••••••••")],
            )]
        } else {
            value(look, rng, &row.value)
        }
    };
    let input = |row: &Row, attrs: &[(&str, &str)]| -> Node {
        let mut a: Vec<(&str, &str)> = vec![("readonly", ""), ("value", &row.value)];
        a.push(("type", if row.masked { "password" } else { "text" }));
        a.extend_from_slice(attrs);
        el("input", &a, vec![])
    };
    match template {
        Template::TableRows => vec![el(
            "table",
            &[("class", "creds")],
            vec![el(
                "tbody",
                &[],
                rows.iter()
                    .map(|r| {
                        let mut td = shown(r, rng);
                        if look.extra_cells {
                            td.extend(extras(rng));
                        }
                        el(
                            "tr",
                            &[],
                            vec![
                                el("th", &[("scope", "row")], vec![text(&r.label)]),
                                el("td", &[], td),
                            ],
                        )
                    })
                    .collect(),
            )],
        )],
        Template::TableExtraCells => vec![el(
            "table",
            &[],
            rows.iter()
                .map(|r| {
                    el(
                        "tr",
                        &[],
                        vec![
                            el("td", &[("class", "label")], vec![text(&r.label)]),
                            el("td", &[], shown(r, rng)),
                            el("td", &[], extras(rng)),
                            el("td", &[], vec![el("i", &[("class", "icon")], vec![])]),
                        ],
                    )
                })
                .collect(),
        )],
        Template::TableColumns => vec![el(
            "table",
            &[],
            vec![
                el(
                    "thead",
                    &[],
                    vec![el(
                        "tr",
                        &[],
                        rows.iter()
                            .map(|r| el("th", &[], vec![text(&r.label)]))
                            .chain([el("th", &[], vec![text("Actions")])])
                            .collect(),
                    )],
                ),
                el(
                    "tbody",
                    &[],
                    vec![el("tr", &[], {
                        let mut cells: Vec<Node> =
                            rows.iter().map(|r| el("td", &[], shown(r, rng))).collect();
                        cells.push(el("td", &[], extras(rng)));
                        cells
                    })],
                ),
            ],
        )],
        Template::DefinitionList => vec![el(
            "dl",
            &[],
            rows.iter()
                .flat_map(|r| {
                    let mut dd = shown(r, rng);
                    if look.extra_cells {
                        dd.extend(extras(rng));
                    }
                    [el("dt", &[], vec![text(&r.label)]), el("dd", &[], dd)]
                })
                .collect(),
        )],
        Template::LabelFor => rows
            .iter()
            .map(|r| {
                let id = next_id();
                el(
                    "div",
                    &[("class", "field")],
                    vec![
                        el("label", &[("for", &id)], vec![text(&r.label)]),
                        input(r, &[("id", &id)]),
                    ],
                )
            })
            .collect(),
        Template::WrappingLabel => rows
            .iter()
            .map(|r| {
                el(
                    "div",
                    &[("class", "field")],
                    vec![el(
                        "label",
                        &[],
                        vec![text(&r.label), text(" "), input(r, &[])],
                    )],
                )
            })
            .collect(),
        Template::AriaLabel => rows
            .iter()
            .map(|r| {
                let name = r.label.trim_end_matches([':', '*', ' ', '\u{a0}']);
                el(
                    "div",
                    &[("class", "field")],
                    vec![input(r, &[("aria-label", name)])],
                )
            })
            .collect(),
        Template::AriaLabelledby => {
            let ids: Vec<String> = rows.iter().map(|_| next_id()).collect();
            let heads = el(
                "div",
                &[("class", "legend")],
                rows.iter()
                    .zip(&ids)
                    .map(|(r, id)| el("span", &[("id", id)], vec![text(&r.label)]))
                    .collect(),
            );
            let fields = rows
                .iter()
                .zip(&ids)
                .map(|(r, id)| el("div", &[], vec![input(r, &[("aria-labelledby", id)])]))
                .collect();
            vec![heads, el("div", &[("class", "fields")], fields)]
        }
        Template::TitlePlaceholder => rows
            .iter()
            .enumerate()
            .map(|(i, r)| {
                let name = r.label.trim_end_matches([':', '*', ' ', '\u{a0}']);
                let attr = if i % 2 == 0 { "title" } else { "placeholder" };
                el("div", &[], vec![input(r, &[(attr, name)])])
            })
            .collect(),
        Template::SiblingGrid => vec![el(
            "div",
            &[(
                "style",
                "display:grid;grid-template-columns:max-content 1fr;gap:4px 12px",
            )],
            rows.iter()
                .flat_map(|r| {
                    [
                        el("div", &[("class", "k")], vec![text(&r.label)]),
                        el("div", &[("class", "v")], shown(r, rng)),
                    ]
                })
                .collect(),
        )],
        Template::FlexRows => rows
            .iter()
            .map(|r| {
                let mut row = vec![
                    el("span", &[("class", "k")], vec![text(&r.label)]),
                    el("span", &[("class", "v")], shown(r, rng)),
                ];
                row.extend(extras(rng));
                el(
                    "div",
                    &[("style", "display:flex;gap:8px;align-items:center")],
                    row,
                )
            })
            .collect(),
        Template::InlineText => {
            let lines: Vec<Node> = rows
                .iter()
                .map(|r| {
                    let label = if r.label.trim_end().ends_with(':') {
                        r.label.clone()
                    } else {
                        format!("{}:", r.label.trim_end_matches('*'))
                    };
                    let mut line = vec![el("strong", &[], vec![text(&label)]), text(" ")];
                    line.extend(shown(r, rng));
                    el("li", &[], line)
                })
                .collect();
            vec![el("ul", &[("class", "plain")], lines)]
        }
        Template::Cards => rows
            .iter()
            .map(|r| {
                el(
                    "section",
                    &[("class", "card")],
                    vec![
                        el("h4", &[], vec![text(&r.label)]),
                        el("p", &[], shown(r, rng)),
                    ],
                )
            })
            .collect(),
        Template::AriaGrid => vec![el(
            "div",
            &[("role", "table")],
            rows.iter()
                .map(|r| {
                    el(
                        "div",
                        &[("role", "row"), ("style", "display:flex;gap:10px")],
                        vec![
                            el("div", &[("role", "rowheader")], vec![text(&r.label)]),
                            el("div", &[("role", "cell")], shown(r, rng)),
                        ],
                    )
                })
                .collect(),
        )],
    }
}

/// Example credentials in a help box, a code sample or a note: valid-looking values that are no
/// account's own.
fn example_box(rng: &mut Rng, examples: &mut Vec<String>) -> Node {
    let id = rng.uuid();
    let key = rng.alphanumeric(30);
    examples.push(id.clone());
    examples.push(key.clone());
    match rng.below(4) {
        0 => el(
            "pre",
            &[],
            vec![text(&format!(
                "curl -u '{id}:{key}' https://directory-api.pingone.com/api/directory/user"
            ))],
        ),
        1 => el(
            "aside",
            &[("class", "help")],
            vec![el(
                "dl",
                &[],
                vec![
                    el("dt", &[], vec![text("Client ID")]),
                    el("dd", &[], vec![text(&id)]),
                    el("dt", &[], vec![text("API key")]),
                    el("dd", &[], vec![text(&key)]),
                ],
            )],
        ),
        2 => el(
            "div",
            &[("class", "hint")],
            vec![
                el("p", &[], vec![text("For example:")]),
                el("p", &[], vec![text(&format!("Client ID: {id}"))]),
                el("p", &[], vec![text(&format!("API key: {key}"))]),
            ],
        ),
        _ => el(
            "p",
            &[("class", "note")],
            vec![el(
                "small",
                &[],
                vec![text(&format!(
                    "Sample values, e.g. Client ID: {id} and API key: {key}"
                ))],
            )],
        ),
    }
}

/// Lines that look like fields but hold nothing: never a value.
fn noise(rng: &mut Rng) -> Node {
    let lines = [
        "client id: n/a",
        "API key: (not set)",
        "Client ID — see above",
        "Your API key is secret: never share it.",
        "<img src=x onerror=alert(1)>",
        "Key: rotate every 90 days",
    ];
    el(
        "p",
        &[("class", "muted")],
        vec![text(lines[rng.below(lines.len())])],
    )
}

/// A decoy: another product's credentials, in one of the same templates.
fn decoy(rng: &mut Rng, template: Template, look: &Look, ids: &mut u32) -> (String, Node) {
    let (heading, labels) = match rng.below(3) {
        0 => (
            "Global Credentials",
            ["REST API Client ID", "REST API Client Secret"],
        ),
        1 => ("Application", ["Client ID", "Client Secret"]),
        _ => ("OAuth Settings", ["OAuth Client ID", "OAuth Client Secret"]),
    };
    let rows = [
        Row {
            label: labels[0].into(),
            value: rng.uuid(),
            masked: false,
        },
        Row {
            label: labels[1].into(),
            value: rng.alphanumeric(32),
            masked: false,
        },
    ];
    let panel = el(
        "div",
        &[("class", "panel")],
        rows_to_panel(template, look, &rows, rng, ids),
    );
    (heading.into(), panel)
}

/// The page for `index` of `seed`.
pub fn generate(seed: u64, index: u64) -> Layout {
    let mut rng = Rng::new(seed ^ index.wrapping_mul(0x9E37_79B9_7F4A_7C15));
    let mut variations = Vec::new();
    let template = Template::ALL[rng.below(Template::ALL.len())];
    let delivery = match rng.below(10) {
        0..=3 => Delivery::Immediate,
        4 | 5 => Delivery::Late,
        6 => Delivery::Frame,
        7 => Delivery::Shadow,
        _ => Delivery::MaskedThenRevealed,
    };
    let wraps = [
        Wrap::Plain,
        Wrap::Code,
        Wrap::Tt,
        Wrap::Padded,
        Wrap::Chunks,
        Wrap::Wbr,
    ];
    let inputs = matches!(
        template,
        Template::LabelFor
            | Template::WrappingLabel
            | Template::AriaLabel
            | Template::AriaLabelledby
            | Template::TitlePlaceholder
    );
    let look = Look {
        client_label: label(&mut rng, &CLIENT_LABELS, &mut variations),
        key_label: label(&mut rng, &KEY_LABELS, &mut variations),
        new_key_label: label(&mut rng, &NEW_KEY_LABELS, &mut variations),
        wrap: if inputs {
            Wrap::Plain
        } else {
            wraps[rng.below(wraps.len())]
        },
        extra_cells: rng.unit() < 0.4,
    };
    variations.push(format!("{:?}", look.wrap));
    let client_id = rng.uuid();
    let key_len = 20 + rng.below(20);
    let api_key = rng.alphanumeric(key_len);
    let mut ids = 0;
    let mut examples = Vec::new();
    let is_decoy = rng.unit() < 0.08;
    if is_decoy {
        let (heading, panel) = decoy(&mut rng, template, &look, &mut ids);
        return Layout {
            seed,
            index,
            template,
            delivery: Delivery::Immediate,
            decoy: true,
            client_id,
            api_key,
            new_key: None,
            examples,
            heading,
            panel,
            revealed: None,
            delay_ms: 0,
            variations,
        };
    }
    let renewing = rng.unit() < 0.1 && delivery != Delivery::MaskedThenRevealed;
    let new_key = renewing.then(|| rng.alphanumeric(30));
    let panel_for = |masked: bool, rng: &mut Rng, ids: &mut u32, examples: &mut Vec<String>| {
        let mut rows = vec![
            Row {
                label: look.client_label.clone(),
                value: client_id.clone(),
                masked: false,
            },
            Row {
                label: look.key_label.clone(),
                value: api_key.clone(),
                masked,
            },
        ];
        if let Some(new) = &new_key {
            rows.push(Row {
                label: look.new_key_label.clone(),
                value: new.clone(),
                masked: false,
            });
        }
        let mut children = vec![el(
            "p",
            &[("class", "note")],
            vec![text(
                "Use these credentials to call the PingOne Directory API. Keep the API key secret.",
            )],
        )];
        if rng.unit() < 0.2 {
            children.push(noise(rng));
        }
        children.extend(rows_to_panel(template, &look, &rows, rng, ids));
        if rng.unit() < 0.35 {
            children.push(example_box(rng, examples));
        }
        if rng.unit() < 0.2 {
            children.push(noise(rng));
        }
        let mut buttons = vec![el("button", &[("type", "button")], vec![text("Edit")])];
        if new_key.is_some() {
            buttons = ["Save", "Cancel"]
                .iter()
                .map(|b| el("button", &[("type", "button")], vec![text(b)]))
                .collect();
        }
        children.push(el("div", &[("class", "actions")], buttons));
        el(
            "div",
            &[("class", "panel"), ("id", "layout-panel")],
            children,
        )
    };
    let masked_first = delivery == Delivery::MaskedThenRevealed;
    let panel = panel_for(masked_first, &mut rng, &mut ids, &mut examples);
    let revealed = masked_first.then(|| {
        let mut again = Rng::new(seed ^ index ^ 0x5eed);
        let mut ids = 0;
        let mut ignored = Vec::new();
        panel_for(false, &mut again, &mut ids, &mut ignored)
    });
    let heading = [
        "API Credentials",
        "Credentials",
        "Directory API",
        "API Access",
    ][rng.below(4)];
    Layout {
        seed,
        index,
        template,
        delivery,
        decoy: false,
        client_id: client_id.clone(),
        api_key: api_key.clone(),
        new_key,
        examples,
        heading: heading.into(),
        panel,
        revealed,
        delay_ms: if delivery == Delivery::Late {
            300 + rng.below(2_700) as u64
        } else {
            0
        },
        variations,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_seed_and_an_index_give_one_page_and_every_template_comes_up() {
        let a = serde_json::to_string(&generate(7, 3)).expect("json");
        let b = serde_json::to_string(&generate(7, 3)).expect("json");
        assert_eq!(a, b);
        let seen: std::collections::HashSet<String> = (0..400)
            .map(|i| format!("{:?}", generate(1, i).template))
            .collect();
        assert_eq!(seen.len(), Template::ALL.len());
    }
}
