//! Tidy tests: the architecture invariants in `ARCHITECTURE.md`, checked on the source tree.
#![cfg(not(target_arch = "wasm32"))]

use std::fs;
use std::path::{Path, PathBuf};

fn files_under(dir: &str, extension: &str) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut stack = vec![Path::new(env!("CARGO_MANIFEST_DIR")).join(dir)];
    while let Some(dir) = stack.pop() {
        for entry in fs::read_dir(&dir)
            .expect("readable source folder")
            .flatten()
        {
            let path = entry.path();
            if path.is_dir() {
                stack.push(path);
            } else if path.extension().is_some_and(|e| e == extension) {
                out.push(path);
            }
        }
    }
    out
}

#[test]
fn the_core_names_no_browser_crate() {
    let forbidden = [
        "wasm_bindgen",
        "web_sys",
        "js_sys",
        "gloo_",
        "serde_wasm_bindgen",
    ];
    let core = files_under("src/core", "rs");
    assert!(!core.is_empty());
    for path in core {
        let text = fs::read_to_string(&path).expect("readable");
        // Doc comments may name the crates they keep out; code may not.
        let code: String = text
            .lines()
            .filter(|l| !l.trim_start().starts_with("//"))
            .collect::<Vec<_>>()
            .join("\n");
        for name in forbidden {
            assert!(!code.contains(name), "{} names {name}", path.display());
        }
    }
}

/// Every way a string becomes markup or script, in JS and in web-sys's spelling: none of them may
/// appear in Keyward's code, its pages or its scripts.
#[test]
fn nothing_renders_strings_as_html() {
    let sinks = [
        "innerhtml",
        "outerhtml",
        "insertadjacenthtml",
        "document.write",
        "domparser",
        "parsefromstring",
        "createcontextualfragment",
        "sethtmlunsafe",
        "parsehtmlunsafe",
        "srcdoc",
        "set_inner_html",
        "set_outer_html",
        "insert_adjacent_html",
        "parse_from_string",
        "create_contextual_fragment",
        "set_html_unsafe",
        "set_srcdoc",
        "eval(",
        "new function(",
    ];
    let mut files = files_under("src", "rs");
    for ext in ["js", "mjs", "html"] {
        files.extend(files_under("extension", ext));
    }
    assert!(files.len() > 20, "the scan found the sources");
    for path in files {
        let text = fs::read_to_string(&path)
            .expect("readable")
            .to_ascii_lowercase();
        for sink in sinks {
            assert!(!text.contains(sink), "{} uses {sink}", path.display());
        }
    }
}

/// Keyward's pages hold no inline script or handler: everything they run is a file the CSP allows.
#[test]
fn pages_have_no_inline_script_or_handler() {
    let pages = files_under("extension", "html");
    assert!(pages.len() >= 4, "the pages were found");
    for path in pages {
        let text = fs::read_to_string(&path)
            .expect("readable")
            .to_ascii_lowercase();
        for (at, _) in text.match_indices("<script") {
            let tag = &text[at..at + text[at..].find('>').unwrap_or(0)];
            assert!(
                tag.contains(" src="),
                "{}: an inline script",
                path.display()
            );
        }
        assert!(
            !has_handler_attribute(&text),
            "{}: an on… handler",
            path.display()
        );
        for word in ["javascript:", "style="] {
            assert!(!text.contains(word), "{} has {word:?}", path.display());
        }
    }
}

/// Whether lower-cased HTML has an `on…=` attribute (an inline event handler).
fn has_handler_attribute(html: &str) -> bool {
    html.match_indices(|c: char| c.is_ascii_whitespace())
        .any(|(at, _)| {
            let rest = &html[at + 1..];
            let name_len = rest
                .find(|c: char| !c.is_ascii_alphanumeric() && c != '-')
                .unwrap_or(rest.len());
            rest.starts_with("on") && name_len > 2 && rest[name_len..].trim_start().starts_with('=')
        })
}

#[test]
fn the_handler_check_finds_handlers() {
    assert!(has_handler_attribute("<button onclick=\"x()\">"));
    assert!(has_handler_attribute("<img src=x\nonerror = y>"));
    assert!(!has_handler_attribute(
        "<p>one = two, only the online text</p>"
    ));
}

#[test]
fn the_edge_never_unwraps() {
    for path in files_under("src/web", "rs") {
        let text = fs::read_to_string(&path).expect("readable");
        assert!(!text.contains(".unwrap()"), "{} unwraps", path.display());
    }
}

/// The source manifest, as JSON.
fn manifest() -> serde_json::Value {
    let text =
        fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("extension/manifest.json"))
            .expect("manifest");
    serde_json::from_str(&text).expect("manifest is JSON")
}

#[test]
fn manifest_console_matches_follow_the_core_host_list() {
    let manifest = manifest();
    let expected: Vec<String> = keyward::core::shared::hosts::CONSOLE_HOSTS
        .iter()
        .map(|h| format!("https://{h}/*"))
        .collect();
    let matches: Vec<String> = manifest["content_scripts"][0]["matches"]
        .as_array()
        .expect("content script matches")
        .iter()
        .filter_map(|m| m.as_str().map(String::from))
        .collect();
    assert_eq!(matches, expected);
}

#[test]
fn manifest_host_permissions_are_the_console_and_the_regional_api_hosts() {
    use keyward::core::api::region::Region;
    use keyward::core::shared::hosts::{parse_origin, Flavour, CONSOLE_HOSTS};
    let manifest = manifest();
    let mut expected: Vec<String> = CONSOLE_HOSTS
        .iter()
        .map(|h| format!("https://{h}/*"))
        .collect();
    for region in Region::available(Flavour::Store) {
        let base = region.api_base(None).expect("a real region has a base");
        let origin = parse_origin(&base).expect("a URL");
        expected.push(format!("{}://{}/*", origin.scheme, origin.host));
    }
    let actual: Vec<String> = manifest["host_permissions"]
        .as_array()
        .expect("host permissions")
        .iter()
        .filter_map(|p| p.as_str().map(String::from))
        .collect();
    assert_eq!(actual, expected, "least privilege: exactly these hosts");
}

#[test]
fn values_cross_to_js_through_serde_wasm_bindgen_only() {
    for path in files_under("src", "rs") {
        let text = fs::read_to_string(&path).expect("readable");
        // No JSON text round trip at the boundary: messages, records and answers are plain objects.
        assert!(
            !text.contains("JSON::parse"),
            "{} parses JSON text from JS",
            path.display()
        );
        // No hand-spelled objects: every message and option record is a typed serde value.
        if path.starts_with(Path::new(env!("CARGO_MANIFEST_DIR")).join("src/web")) {
            for spelled in ["(\"type\",", "\"type\":", "Reflect::set("] {
                let allowed = spelled == "Reflect::set(" && path.ends_with("storage.rs");
                assert!(
                    allowed || !text.contains(spelled),
                    "{} spells `{spelled}`",
                    path.display()
                );
            }
        }
    }
    // The home-made codec is gone for good.
    for gone in [
        "src/core/json.rs",
        "src/core/codec.rs",
        "src/core/id_map.rs",
    ] {
        assert!(
            !Path::new(env!("CARGO_MANIFEST_DIR")).join(gone).exists(),
            "{gone}"
        );
    }
}

/// The core's folders from the bottom up, and what each may import: a feature sees only the
/// features below it that it names, so the graph has no cycles and a change in a low folder cannot
/// depend on the protocol or the worker. Every folder and top-level module of `src/core` is here.
const LAYERS: &[(&str, &[&str])] = &[
    ("shared", &[]),
    ("api", &["shared"]),
    ("effect", &["shared", "api"]),
    ("reminders", &["shared"]),
    ("accounts", &["shared", "api", "reminders"]),
    ("settings", &["shared", "api", "reminders", "accounts"]),
    (
        "console",
        &[
            "shared",
            "api",
            "effect",
            "reminders",
            "accounts",
            "settings",
        ],
    ),
    ("lookup", &["shared", "api", "accounts"]),
    ("export", &["shared", "api", "accounts", "lookup"]),
    (
        "protocol",
        &["shared", "api", "accounts", "console", "lookup"],
    ),
    (
        "popup",
        &["shared", "api", "accounts", "console", "lookup", "export"],
    ),
    (
        "worker",
        &[
            "shared",
            "api",
            "effect",
            "reminders",
            "accounts",
            "settings",
            "console",
            "lookup",
            "export",
            "protocol",
        ],
    ),
];

/// Source without its tests: `#[cfg(test)]` items (brace-matched) are dropped, and a file named
/// `tests.rs` or under a `tests` folder in `src/` is all test.
fn non_test_code(path: &Path) -> String {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let in_tests_folder = path
        .strip_prefix(&src)
        .is_ok_and(|rel| rel.parent().is_some_and(|p| p.ends_with("tests")));
    if in_tests_folder || path.file_name().is_some_and(|n| n == "tests.rs") {
        return String::new();
    }
    let text = fs::read_to_string(path).expect("readable");
    let mut out = Vec::new();
    let mut lines = text.lines();
    while let Some(line) = lines.next() {
        if line.trim_start().starts_with("#[cfg(test)]") {
            let mut depth = 0i32;
            let mut opened = false;
            for item in lines.by_ref() {
                depth += item.matches('{').count() as i32 - item.matches('}').count() as i32;
                opened |= item.contains('{');
                if (opened && depth <= 0) || (!opened && item.trim_end().ends_with(';')) {
                    break;
                }
            }
            continue;
        }
        out.push(line);
    }
    out.join("\n")
}

/// The feature (first path segment under `src/core`) a source file belongs to.
fn feature_of(path: &Path) -> String {
    let rel = path
        .strip_prefix(Path::new(env!("CARGO_MANIFEST_DIR")).join("src/core"))
        .expect("under src/core");
    let first = rel.components().next().expect("a component");
    first
        .as_os_str()
        .to_string_lossy()
        .trim_end_matches(".rs")
        .to_string()
}

/// The features a piece of code names through `crate::core::…` (grouped `{a, b}` imports too).
fn features_named(code: &str) -> Vec<String> {
    let mut out = Vec::new();
    for (at, _) in code.match_indices("crate::core::") {
        let rest = &code[at + "crate::core::".len()..];
        if let Some(group) = rest.strip_prefix('{') {
            let inner = &group[..group.find('}').unwrap_or(group.len())];
            out.extend(inner.split(',').map(|s| ident(s.trim())));
        } else {
            out.push(ident(rest));
        }
    }
    out.retain(|name| !name.is_empty());
    out
}

fn ident(s: &str) -> String {
    s.chars()
        .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
        .collect()
}

/// The feature-level import graph of `src/core`, from its source.
fn core_graph() -> std::collections::BTreeMap<String, std::collections::BTreeSet<String>> {
    let features: Vec<&str> = LAYERS.iter().map(|(f, _)| *f).collect();
    let mut graph = std::collections::BTreeMap::new();
    for path in files_under("src/core", "rs") {
        if path.file_name().is_some_and(|n| n == "mod.rs")
            && path.parent() == Some(&Path::new(env!("CARGO_MANIFEST_DIR")).join("src/core"))
        {
            continue; // the root module declares the folders; it imports none of them
        }
        let feature = feature_of(&path);
        let entry: &mut std::collections::BTreeSet<String> =
            graph.entry(feature.clone()).or_default();
        for named in features_named(&non_test_code(&path)) {
            // Root items (`PRODUCT_NAME`, `VERSION`) are not features.
            if named != feature && features.contains(&named.as_str()) {
                entry.insert(named);
            }
        }
    }
    graph
}

#[test]
fn the_layering_table_names_every_core_folder() {
    let declared: std::collections::BTreeSet<String> =
        LAYERS.iter().map(|(f, _)| f.to_string()).collect();
    let found: std::collections::BTreeSet<String> = core_graph().into_keys().collect();
    assert_eq!(
        found, declared,
        "a new folder in src/core takes a row in LAYERS"
    );
}

#[test]
fn core_imports_follow_the_layering() {
    let mut broken = Vec::new();
    for (feature, imports) in core_graph() {
        let allowed = LAYERS
            .iter()
            .find(|(f, _)| *f == feature)
            .map(|(_, a)| *a)
            .unwrap_or(&[]);
        for import in imports {
            if !allowed.contains(&import.as_str()) {
                broken.push(format!("{feature} imports {import}"));
            }
        }
    }
    assert!(broken.is_empty(), "imports against LAYERS: {broken:?}");
}

/// The table itself only points down: each feature's imports were declared before it, so a graph
/// that follows the table has no cycle.
#[test]
fn the_layering_table_points_only_down() {
    for (at, (feature, allowed)) in LAYERS.iter().enumerate() {
        for import in *allowed {
            let below = LAYERS[..at].iter().any(|(f, _)| f == import);
            assert!(
                below,
                "{feature} may import {import}, which is not below it"
            );
        }
    }
}

/// Every cycle a depth-first search of `graph` meets, each as its nodes joined by arrows.
fn cycles_in(
    graph: &std::collections::BTreeMap<String, std::collections::BTreeSet<String>>,
) -> Vec<String> {
    // Depth-first search with colours: reaching a node still on the stack is a cycle.
    fn visit<'a>(
        node: &'a str,
        graph: &'a std::collections::BTreeMap<String, std::collections::BTreeSet<String>>,
        stack: &mut Vec<&'a str>,
        done: &mut std::collections::BTreeSet<&'a str>,
        cycles: &mut Vec<String>,
    ) {
        if let Some(at) = stack.iter().position(|n| *n == node) {
            cycles.push(format!("{} → {node}", stack[at..].join(" → ")));
            return;
        }
        if done.contains(node) {
            return;
        }
        stack.push(node);
        for next in graph.get(node).into_iter().flatten() {
            visit(next, graph, stack, done, cycles);
        }
        stack.pop();
        done.insert(node);
    }
    let (mut done, mut cycles) = (std::collections::BTreeSet::new(), Vec::new());
    for node in graph.keys() {
        visit(node, graph, &mut Vec::new(), &mut done, &mut cycles);
    }
    cycles
}

#[test]
fn the_core_graph_has_no_cycle() {
    let cycles = cycles_in(&core_graph());
    assert!(cycles.is_empty(), "import cycles: {cycles:#?}");
}

#[test]
fn the_import_scan_reads_grouped_and_nested_paths() {
    let code = "use crate::core::{accounts::Accounts, worker};\nlet x = crate::core::api::region::Region::Na;\nuse crate::core::PRODUCT_NAME;";
    assert_eq!(
        features_named(code),
        ["accounts", "worker", "api", "PRODUCT_NAME"]
    );
    let dropped = non_test_code(Path::new(file!()));
    assert!(dropped.contains("fn non_test_code"));
}

/// A file is one idea: past about 600 lines of non-test code it holds several.
#[test]
fn no_source_file_is_over_600_lines_of_code() {
    for path in files_under("src", "rs") {
        let lines = non_test_code(&path)
            .lines()
            .filter(|l| !l.trim().is_empty())
            .count();
        assert!(
            lines <= 600,
            "{}: {lines} lines of non-test code",
            path.display()
        );
    }
}

/// The module a core file is: `console::copy` for `src/core/console/copy.rs`, `console::reader`
/// for `src/core/console/reader/mod.rs`.
fn module_of(path: &Path) -> Vec<String> {
    let rel = path
        .strip_prefix(Path::new(env!("CARGO_MANIFEST_DIR")).join("src/core"))
        .expect("under src/core");
    let mut parts: Vec<String> = rel
        .components()
        .map(|c| {
            c.as_os_str()
                .to_string_lossy()
                .trim_end_matches(".rs")
                .to_string()
        })
        .collect();
    if parts.last().is_some_and(|p| p == "mod") {
        parts.pop();
    }
    parts
}

/// The paths a piece of code names from `crate::core::`, `super::` or `self::`, made absolute
/// from module `here`, with `{a, b::c}` groups.
fn paths_named(code: &str, here: &[String]) -> Vec<Vec<String>> {
    fn idents(s: &str) -> (Vec<String>, &str) {
        let mut out = Vec::new();
        let mut rest = s;
        loop {
            let name = ident(rest.trim_start());
            if name.is_empty() {
                return (out, rest);
            }
            rest = &rest.trim_start()[name.len()..];
            out.push(name);
            match rest.strip_prefix("::") {
                Some(after) => rest = after,
                None => return (out, rest),
            }
        }
    }
    fn expand(prefix: Vec<String>, s: &str, out: &mut Vec<Vec<String>>) {
        let (names, rest) = idents(s);
        let mut path = prefix;
        path.extend(names.into_iter().filter(|n| n != "self"));
        if let Some(group) = rest.trim_start().strip_prefix('{') {
            let (mut depth, mut start) = (0, 0);
            for (at, c) in group.char_indices() {
                match c {
                    '{' => depth += 1,
                    '}' if depth == 0 => {
                        expand(path.clone(), &group[start..at], out);
                        return;
                    }
                    '}' => depth -= 1,
                    ',' if depth == 0 => {
                        expand(path.clone(), &group[start..at], out);
                        start = at + 1;
                    }
                    _ => {}
                }
            }
        } else {
            out.push(path);
        }
    }
    let mut out = Vec::new();
    for (at, _) in code.match_indices("::") {
        let before = &code[..at];
        let word_start = before
            .rfind(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
            .map_or(0, |i| i + 1);
        let word = &before[word_start..];
        // Only the first `::` of a path starts it.
        if before[..word_start].ends_with("::") {
            continue;
        }
        let rest = &code[at + 2..];
        match word {
            "crate" => {
                if let Some(core) = rest.strip_prefix("core::") {
                    expand(Vec::new(), core, &mut out);
                }
            }
            "super" => {
                // `super` of `a::b` is `a`, whether b is a file or a folder's `mod.rs`.
                let mut base = here[..here.len().saturating_sub(1)].to_vec();
                let mut rest = rest;
                while let Some(more) = rest.strip_prefix("super::") {
                    base.pop();
                    rest = more;
                }
                expand(base, rest, &mut out);
            }
            "self" => expand(here.to_vec(), rest, &mut out),
            _ => {}
        }
    }
    out
}

/// The file-level import graph of `src/core`: each file's module and the modules (files) it names,
/// its own folders' modules left out (a file may use the items its folder's `mod.rs` holds).
fn core_file_graph() -> std::collections::BTreeMap<String, std::collections::BTreeSet<String>> {
    let files = files_under("src/core", "rs");
    let modules: std::collections::BTreeSet<Vec<String>> =
        files.iter().map(|p| module_of(p)).collect();
    let mut graph = std::collections::BTreeMap::new();
    for path in &files {
        let here = module_of(path);
        let entry: &mut std::collections::BTreeSet<String> =
            graph.entry(here.join("::")).or_default();
        for named in paths_named(&non_test_code(path), &here) {
            // The longest prefix of the path that is a file.
            let Some(target) = (1..=named.len())
                .rev()
                .map(|n| named[..n].to_vec())
                .find(|m| modules.contains(m))
            else {
                continue;
            };
            if target == here || here.starts_with(&target) {
                continue;
            }
            entry.insert(target.join("::"));
        }
    }
    graph
}

#[test]
fn no_two_core_files_import_each_other_even_through_others() {
    let cycles = cycles_in(&core_file_graph());
    assert!(cycles.is_empty(), "file import cycles: {cycles:#?}");
}

#[test]
fn the_file_graph_reads_absolute_relative_and_grouped_paths() {
    let here = ["export".to_string(), "spool".to_string()];
    let code = "use super::file::{self, Fragments};\nuse super::{Export, members::GroupRef};\nuse crate::core::api::{scim::{User, Group}, Credentials};\nlet f = super::Format::Csv;";
    let named: Vec<String> = paths_named(code, &here)
        .into_iter()
        .map(|p| p.join("::"))
        .collect();
    assert_eq!(
        named,
        [
            "export::file",
            "export::file::Fragments",
            "export::Export",
            "export::members::GroupRef",
            "api::scim::User",
            "api::scim::Group",
            "api::Credentials",
            "export::Format::Csv",
        ]
    );
    let graph = core_file_graph();
    assert!(graph["export::spool"].contains("export::file"));
    assert!(graph["console::copy"].contains("console::snippet"));
}
