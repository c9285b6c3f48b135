//! JSON text as servers and browsers really write it. A Java or JavaScript string can hold a lone
//! UTF-16 surrogate, and their JSON writers emit it as an escape (`"\ud800"`): valid JSON syntax,
//! but not Unicode, so a strict parser rejects the whole document. One broken name must not sink a
//! page of 200 users, so such escapes become U+FFFD (the replacement character) before parsing.

use std::borrow::Cow;

/// The hex value of a `\uXXXX` escape starting at `at` (the backslash), if there is one.
fn escape_at(bytes: &[u8], at: usize) -> Option<u16> {
    if bytes.get(at + 1) != Some(&b'u') {
        return None;
    }
    let hex = bytes.get(at + 2..at + 6)?;
    u16::from_str_radix(std::str::from_utf8(hex).ok()?, 16).ok()
}

/// `text` with every lone surrogate escape replaced by `\ufffd`; borrowed when there is none.
pub fn repair_lone_surrogates(text: &str) -> Cow<'_, str> {
    let bytes = text.as_bytes();
    if !text.contains("\\u") && !text.contains("\\U") {
        return Cow::Borrowed(text);
    }
    let mut out: Option<String> = None;
    let mut copied = 0;
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] != b'\\' {
            i += 1;
            continue;
        }
        let Some(unit) = escape_at(bytes, i) else {
            // Another escape (`\\`, `\"`, `\n`…): skip the escaped character too.
            i += 2;
            continue;
        };
        let lone = match unit {
            0xD800..=0xDBFF => !matches!(escape_at(bytes, i + 6), Some(0xDC00..=0xDFFF)),
            0xDC00..=0xDFFF => true,
            _ => false,
        };
        if lone {
            let buf = out.get_or_insert_with(|| String::with_capacity(text.len()));
            buf.push_str(&text[copied..i]);
            buf.push_str("\\ufffd");
            copied = i + 6;
            i += 6;
        } else if (0xD800..=0xDBFF).contains(&unit) {
            i += 12; // a valid pair
        } else {
            i += 6;
        }
    }
    match out {
        Some(mut buf) => {
            buf.push_str(&text[copied..]);
            Cow::Owned(buf)
        }
        None => Cow::Borrowed(text),
    }
}

/// Parses JSON bytes leniently about lone surrogates (and only about them).
pub fn parse(bytes: &[u8]) -> Result<serde_json::Value, serde_json::Error> {
    match serde_json::from_slice(bytes) {
        Ok(v) => Ok(v),
        Err(first) => match std::str::from_utf8(bytes) {
            Ok(text) => match repair_lone_surrogates(text) {
                Cow::Owned(repaired) => serde_json::from_slice(repaired.as_bytes()),
                Cow::Borrowed(_) => Err(first),
            },
            Err(_) => Err(first),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lone_surrogates_become_replacement_characters() {
        let cases = [
            (r#"{"a":"x\ud800y"}"#, "x\u{fffd}y"),
            (r#"{"a":"x\uDC00"}"#, "x\u{fffd}"),
            (r#"{"a":"\ud800\ud800\udc00"}"#, "\u{fffd}\u{10000}"),
            (r#"{"a":"\ud83d\ude00"}"#, "\u{1f600}"),
            (r#"{"a":"\\ud800"}"#, "\\ud800"),
            (r#"{"a":"\ud800"#, ""),
        ];
        for (text, expected) in cases {
            match parse(text.as_bytes()) {
                Ok(v) => assert_eq!(v["a"], expected, "{text}"),
                Err(_) => assert_eq!(expected, "", "{text} should not parse"),
            }
        }
    }

    #[test]
    fn clean_text_is_borrowed_and_odd_escapes_do_not_panic() {
        assert!(matches!(
            repair_lone_surrogates(r#"{"a":"\n"}"#),
            Cow::Borrowed(_)
        ));
        for odd in [
            "\\",
            "\\u",
            "\\ud8",
            "\\ud800\\u",
            "\\ud800\\udc",
            "é\\ud800é",
            "\\uzzzz",
        ] {
            let _ = repair_lone_surrogates(odd);
        }
    }
}
