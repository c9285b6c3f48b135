//! Keyward's reader on thousands of generated credentials pages (`p14e_emulator::layouts`): for
//! every page, the right Client ID and key, or hidden / not recognised — and never a wrong value.
//! Decoys are never read. The pages reach the reader as the content script would send them: this
//! file's `snapshot` follows the content script's rules (`extension/content.js`), and the e2e
//! sample (`tests/e2e/layouts.test.mjs`) checks the same pages through the real one.

use keyward::core::console::page::{
    classify, Cell, ClientIdState, Input, Item, KeyState, PageKind, Snapshot,
};
use p14e_emulator::layouts::{generate, Delivery, El, Layout, Node};

/// Tags whose default display is inline (the text in them joins the run around them).
const INLINE: [&str; 22] = [
    "span", "a", "b", "i", "em", "strong", "code", "tt", "small", "label", "abbr", "cite", "kbd",
    "samp", "sub", "sup", "mark", "wbr", "s", "del", "ins", "u",
];
const SKIP: [&str; 6] = ["script", "style", "template", "select", "svg", "img"];

fn mark(tag: &str, role: Option<&str>) -> Option<&'static str> {
    match (tag, role) {
        ("pre" | "samp", _) => Some("pre"),
        ("aside" | "blockquote" | "figure" | "figcaption" | "details", _) => Some("aside"),
        ("small", _) | (_, Some("note" | "tooltip")) => Some("help"),
        ("del" | "s" | "strike", _) => Some("struck"),
        ("ins", _) => Some("inserted"),
        _ => None,
    }
}

fn attr<'a>(el: &'a El, name: &str) -> Option<&'a str> {
    el.attrs
        .iter()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.as_str())
}

/// Whitespace collapsed and trimmed, as the content script's `clip`.
fn clip(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

fn text_of(node: &Node) -> String {
    match node {
        Node::Text(t) => t.clone(),
        Node::El(el) if el.tag == "button" => String::new(),
        Node::El(el) => el.children.iter().map(text_of).collect(),
    }
}

/// The elements of a tree by id, and every label element with its `for` and its text.
struct Index<'a> {
    by_id: Vec<(&'a str, &'a El)>,
}

fn index<'a>(node: &'a Node, out: &mut Index<'a>) {
    if let Node::El(el) = node {
        if let Some(id) = attr(el, "id") {
            out.by_id.push((id, el));
        }
        for c in &el.children {
            index(c, out);
        }
    }
}

struct Walker<'a> {
    items: Vec<Item>,
    buttons: Vec<String>,
    run: Option<(String, Ctx, Vec<String>)>,
    next_id: u32,
    index: &'a Index<'a>,
    /// Label texts of inputs by their id (`<label for>`), and wrapping labels.
    labels_for: Vec<(String, String)>,
}

#[derive(Clone, Default)]
struct Ctx {
    path: Vec<u32>,
    tag: String,
    cell: Option<Cell>,
    table: u32,
    head: bool,
    marks: Vec<String>,
    inline: Vec<String>,
    /// Inside a flex or grid container: children are blocks.
    blockify: bool,
    /// The text of the label wrapping this point, if any.
    wrapping_label: Option<String>,
}

impl Walker<'_> {
    fn flush(&mut self) {
        if let Some((text, ctx, marks)) = self.run.take() {
            if !text.trim().is_empty() {
                self.items.push(Item {
                    text: clip(&text),
                    path: ctx.path,
                    tag: ctx.tag,
                    cell: ctx.cell,
                    input: None,
                    marks,
                });
            }
        }
    }

    fn walk(&mut self, node: &Node, ctx: &Ctx) {
        let el = match node {
            Node::Text(t) => {
                let run = self
                    .run
                    .get_or_insert_with(|| (String::new(), ctx.clone(), ctx.marks.clone()));
                for m in &ctx.inline {
                    if !run.2.contains(m) {
                        run.2.push(m.clone());
                    }
                }
                run.0.push_str(t);
                return;
            }
            Node::El(el) => el,
        };
        let tag = el.tag.as_str();
        if SKIP.contains(&tag) || attr(el, "hidden").is_some() {
            return;
        }
        let role = attr(el, "role");
        if tag == "button" || role == Some("button") {
            let label = clip(&el.children.iter().map(text_of).collect::<String>());
            if !label.is_empty() {
                self.buttons.push(label);
            }
            return;
        }
        if tag == "br" {
            self.flush();
            return;
        }
        let mark = mark(tag, role);
        if tag == "input" || tag == "textarea" {
            self.flush();
            let kind = attr(el, "type").unwrap_or("text").to_string();
            let mut names = Vec::new();
            if let Some(ids) = attr(el, "aria-labelledby") {
                for id in ids.split_whitespace() {
                    if let Some((_, target)) = self.index.by_id.iter().find(|(i, _)| *i == id) {
                        names.push(clip(&text_of(&Node::El((*target).clone()))));
                    }
                }
            }
            if let Some(v) = attr(el, "aria-label") {
                names.push(clip(v));
            }
            if let Some(id) = attr(el, "id") {
                for (for_id, text) in &self.labels_for {
                    if for_id == id {
                        names.push(clip(text));
                    }
                }
            }
            if let Some(text) = &ctx.wrapping_label {
                names.push(clip(text));
            }
            for a in ["title", "placeholder"] {
                if let Some(v) = attr(el, a) {
                    names.push(clip(v));
                }
            }
            let value = if kind == "password" {
                String::new()
            } else {
                clip(attr(el, "value").unwrap_or(""))
            };
            let mut marks = ctx.marks.clone();
            marks.extend(mark.map(String::from));
            self.items.push(Item {
                text: value,
                path: ctx.path.clone(),
                tag: ctx.tag.clone(),
                cell: ctx.cell.clone(),
                input: Some(Input { kind, names }),
                marks,
            });
            return;
        }
        let style = attr(el, "style").unwrap_or("");
        let container = style.contains("display:grid") || style.contains("display:flex");
        let block = ctx.blockify || container || !INLINE.contains(&tag);
        let mut child = ctx.clone();
        child.blockify = container;
        if tag == "label" {
            child.wrapping_label = Some(text_of(node));
        }
        if block {
            self.flush();
            self.next_id += 1;
            let id = self.next_id;
            child.path = std::iter::once(id)
                .chain(ctx.path.iter().copied())
                .take(8)
                .collect();
            child.tag = tag.to_string();
            child.marks.extend(ctx.inline.iter().cloned());
            child.marks.extend(mark.map(String::from));
            child.inline.clear();
            if tag == "table" {
                child.table = id;
                child.head = false;
            }
        } else if let Some(m) = mark {
            child.inline.push(m.into());
        }
        if tag == "table" {
            self.walk_table(el, &child);
            self.flush();
            return;
        }
        for c in &el.children {
            self.walk(c, &child);
        }
        if block {
            self.flush();
        }
    }

    /// A table's rows in order, numbered across its sections as the DOM's `rowIndex` does.
    fn walk_table(&mut self, table: &El, ctx: &Ctx) {
        let mut row = 0;
        for c in &table.children {
            let Node::El(el) = c else { continue };
            if el.tag == "tr" {
                self.walk_row(el, row, ctx);
                row += 1;
                continue;
            }
            // A section (`thead`, `tbody`): a block of its own.
            self.flush();
            self.next_id += 1;
            let mut section = ctx.clone();
            section.path = std::iter::once(self.next_id)
                .chain(ctx.path.iter().copied())
                .take(8)
                .collect();
            section.tag = el.tag.clone();
            section.head = el.tag == "thead";
            for tr in &el.children {
                if let Node::El(tr) = tr {
                    if tr.tag == "tr" {
                        self.walk_row(tr, row, &section);
                        row += 1;
                    }
                }
            }
            self.flush();
        }
    }

    fn walk_row(&mut self, tr: &El, index: u32, ctx: &Ctx) {
        self.flush();
        self.next_id += 1;
        let mut row = ctx.clone();
        row.path = std::iter::once(self.next_id)
            .chain(ctx.path.iter().copied())
            .take(8)
            .collect();
        row.tag = "tr".into();
        let mut col = 0;
        for c in &tr.children {
            if let Node::El(cell) = c {
                if cell.tag == "td" || cell.tag == "th" {
                    let mut cctx = row.clone();
                    cctx.cell = Some(Cell {
                        table: ctx.table,
                        row: index,
                        col,
                        head: ctx.head,
                    });
                    self.walk_cell(cell, &cctx);
                    col += 1;
                }
            }
        }
        self.flush();
    }

    fn walk_cell(&mut self, cell: &El, ctx: &Ctx) {
        self.flush();
        self.next_id += 1;
        let mut child = ctx.clone();
        child.path = std::iter::once(self.next_id)
            .chain(ctx.path.iter().copied())
            .take(8)
            .collect();
        child.tag = cell.tag.clone();
        if let Some(c) = &mut child.cell {
            c.head = c.head || cell.tag == "th";
        }
        for c in &cell.children {
            self.walk(c, &child);
        }
        self.flush();
    }
}

/// Every `<label for>` in a tree, with its text.
fn labels_for(node: &Node, out: &mut Vec<(String, String)>) {
    if let Node::El(el) = node {
        if el.tag == "label" {
            if let Some(f) = attr(el, "for") {
                out.push((f.to_string(), text_of(node)));
            }
        }
        for c in &el.children {
            labels_for(c, out);
        }
    }
}

/// The snapshot the content script would send for `layout`, its panel as given.
fn snapshot(layout: &Layout, panel: &Node) -> Snapshot {
    let mut idx = Index { by_id: Vec::new() };
    index(panel, &mut idx);
    let mut lf = Vec::new();
    labels_for(panel, &mut lf);
    let mut w = Walker {
        items: Vec::new(),
        buttons: Vec::new(),
        run: None,
        next_id: 1,
        index: &idx,
        labels_for: lf,
    };
    let body = Ctx {
        path: vec![1],
        tag: "body".into(),
        ..Ctx::default()
    };
    let shell = p14e_emulator::layouts::el(
        "header",
        &[],
        vec![p14e_emulator::layouts::text("Layout sandbox — not PingOne")],
    );
    w.walk(&shell, &body);
    let heading = p14e_emulator::layouts::el(
        "h1",
        &[],
        vec![p14e_emulator::layouts::text(&layout.heading)],
    );
    w.walk(&heading, &body);
    let mut panel_ctx = body.clone();
    match layout.delivery {
        Delivery::Frame => panel_ctx.marks.push("frame".into()),
        Delivery::Shadow => panel_ctx.marks.push("shadow".into()),
        _ => {}
    }
    w.walk(panel, &panel_ctx);
    w.flush();
    Snapshot {
        url: "http://127.0.0.1:8787/layout.html#/setup/directory/api-credentials".into(),
        title: "PingOne".into(),
        headings: vec![layout.heading.clone()],
        buttons: w.buttons,
        items: w.items,
        glance: false,
        ..Snapshot::default()
    }
}

/// What the reader made of a page.
#[derive(Debug, PartialEq, Eq, Hash, Clone, Copy)]
enum Outcome {
    /// Both values, right.
    Read,
    /// The Client ID, right, and the key masked.
    Hidden,
    /// Less than that, but nothing wrong.
    NotRecognised,
    /// A decoy, rightly refused.
    Refused,
}

/// Judges a reading: `Err` names a wrong value.
fn judge(layout: &Layout, snapshot: &Snapshot, masked: bool) -> Result<Outcome, String> {
    let what = || {
        format!(
            "{} #{} {:?} {:?} {:?}",
            layout.seed, layout.index, layout.template, layout.delivery, layout.variations
        )
    };
    let kind = classify(snapshot);
    if layout.decoy {
        return match kind {
            PageKind::Credentials(_) => Err(format!("a decoy read as credentials: {}", what())),
            _ => Ok(Outcome::Refused),
        };
    }
    let PageKind::Credentials(reading) = kind else {
        return Ok(Outcome::NotRecognised);
    };
    let id_ok = match &reading.client_id {
        ClientIdState::Read { id, .. } if *id != layout.client_id => {
            return Err(format!("wrong Client ID {id}: {}", what()))
        }
        ClientIdState::Read { .. } => true,
        _ => false,
    };
    let key_ok = match &reading.key {
        KeyState::Shown(key) if *key != layout.api_key => {
            return Err(format!(
                "wrong key (an example: {}): {}",
                layout.examples.contains(key),
                what()
            ))
        }
        KeyState::Shown(_) if masked => return Err(format!("a masked key read: {}", what())),
        KeyState::Shown(_) => true,
        _ => false,
    };
    if let KeyState::Shown(new) = &reading.new_key {
        if Some(new) != layout.new_key.as_ref() {
            return Err(format!("wrong new key: {}", what()));
        }
    }
    Ok(match (id_ok, key_ok, &reading.key) {
        (true, true, _) => Outcome::Read,
        (true, false, KeyState::Hidden) if masked => Outcome::Hidden,
        _ => Outcome::NotRecognised,
    })
}

/// The reader over `n` pages of `seed`: every outcome counted, every wrong value listed.
fn corpus(
    seed: u64,
    n: u64,
) -> (
    std::collections::HashMap<Outcome, usize>,
    Vec<String>,
    Vec<String>,
) {
    let mut counts = std::collections::HashMap::new();
    let mut wrong = Vec::new();
    let mut missed = Vec::new();
    for index in 0..n {
        let layout = generate(seed, index);
        let mut views = vec![(
            layout.panel.clone(),
            layout.delivery == Delivery::MaskedThenRevealed,
        )];
        if let Some(revealed) = &layout.revealed {
            views.push((revealed.clone(), false));
        }
        for (panel, masked) in views {
            match judge(&layout, &snapshot(&layout, &panel), masked) {
                Ok(outcome) => {
                    *counts.entry(outcome).or_insert(0) += 1;
                    if outcome == Outcome::NotRecognised {
                        missed.push(format!(
                            "#{} {:?} {:?} {:?}",
                            index, layout.template, layout.delivery, layout.variations
                        ));
                    }
                }
                Err(e) => wrong.push(e),
            }
        }
    }
    (counts, wrong, missed)
}

#[test]
fn thousands_of_generated_pages_zero_wrong_values() {
    let seed = std::env::var("LAYOUT_SEED")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(20_261_129);
    let (counts, wrong, missed) = corpus(seed, 5_000);
    let read = counts.get(&Outcome::Read).copied().unwrap_or(0);
    let hidden = counts.get(&Outcome::Hidden).copied().unwrap_or(0);
    let not = counts.get(&Outcome::NotRecognised).copied().unwrap_or(0);
    let refused = counts.get(&Outcome::Refused).copied().unwrap_or(0);
    println!("seed {seed}: read {read}, hidden {hidden}, not recognised {not}, decoys refused {refused}, wrong {}", wrong.len());
    for m in missed.iter().take(20) {
        println!("  not recognised: {m}");
    }
    assert!(
        wrong.is_empty(),
        "{} wrong values, e.g.:\n{}",
        wrong.len(),
        wrong
            .iter()
            .take(10)
            .cloned()
            .collect::<Vec<_>>()
            .join("\n")
    );
    // A reader that never reads would pass the line above: most pages are read.
    let readable = read + hidden + not;
    assert!(
        read + hidden >= readable * 95 / 100,
        "only {} of {readable} pages read: {:?}",
        read + hidden,
        &missed[..missed.len().min(10)]
    );
}
