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

#[test]
fn manifest_console_matches_follow_the_core_host_list() {
    let manifest =
        fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("extension/manifest.json"))
            .expect("manifest");
    let manifest: serde_json::Value = serde_json::from_str(&manifest).expect("manifest is JSON");
    let expected: Vec<String> = keyward::core::console::CONSOLE_HOSTS
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
    use keyward::core::console::{parse_origin, Flavour, CONSOLE_HOSTS};
    use keyward::core::region::Region;
    let manifest =
        fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("extension/manifest.json"))
            .expect("manifest");
    let manifest: serde_json::Value = serde_json::from_str(&manifest).expect("manifest is JSON");
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
