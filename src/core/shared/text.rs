//! Small text helpers every feature shares: hex for salts and fingerprints, percent-encoding for
//! URLs Keyward builds and reads, and digit grouping.

use percent_encoding::{percent_decode_str, utf8_percent_encode, AsciiSet, NON_ALPHANUMERIC};

/// Everything but RFC 3986's unreserved characters is escaped in a component.
const COMPONENT: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'_')
    .remove(b'.')
    .remove(b'~');

/// Percent-encodes a query or path component.
pub fn encode_component(s: &str) -> String {
    utf8_percent_encode(s, COMPONENT).to_string()
}

/// Percent-decodes a query component (`+` as a space), lossy on bad UTF-8 and lenient on bad
/// escapes (left as they are).
pub fn decode_component(s: &str) -> String {
    percent_decode_str(&s.replace('+', " "))
        .decode_utf8_lossy()
        .into_owned()
}

/// 5000 → "5,000".
pub fn grouped(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// Lower-case hex of bytes.
pub fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// The bytes of a hex string; `None` for odd lengths or anything but hex digits.
pub fn unhex(s: &str) -> Option<Vec<u8>> {
    // `from_str_radix` alone would take "+1" for a byte.
    if s.len() % 2 != 0 || !s.bytes().all(|b| b.is_ascii_hexdigit()) {
        return None;
    }
    (0..s.len())
        .step_by(2)
        .map(|i| s.get(i..i + 2).and_then(|b| u8::from_str_radix(b, 16).ok()))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hex_round_trips_and_refuses_junk() {
        let bytes = [0u8, 1, 0x7f, 0x80, 0xfe, 0xff];
        assert_eq!(hex(&bytes), "00017f80feff");
        assert_eq!(unhex(&hex(&bytes)), Some(bytes.to_vec()));
        for junk in ["0", "zz", "0g", "é1", "+1"] {
            assert_eq!(unhex(junk), None, "{junk}");
        }
    }

    #[test]
    fn components_round_trip() {
        for text in [
            "",
            "a b&c=d/e?f#g%h+i",
            "Zoë \u{1f600} co",
            "-_.~",
            "\u{0}\u{7f}",
        ] {
            let encoded = encode_component(text);
            assert!(
                encoded
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b"-_.~%".contains(&b)),
                "{encoded}"
            );
            assert_eq!(decode_component(&encoded), text);
        }
        assert_eq!(encode_component("a b"), "a%20b");
        assert_eq!(decode_component("a+b%20c%F0%9F%98%80"), "a b c\u{1f600}");
        assert_eq!(decode_component("%FF"), "\u{fffd}");
        assert_eq!(decode_component("100%"), "100%");
        assert_eq!(decode_component("%zz%4"), "%zz%4");
    }

    #[test]
    fn digits_are_grouped_in_threes() {
        assert_eq!(grouped(0), "0");
        assert_eq!(grouped(999), "999");
        assert_eq!(grouped(5_000), "5,000");
        assert_eq!(grouped(1_234_567), "1,234,567");
    }
}
