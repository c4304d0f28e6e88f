//! Text from a scenario that reaches outputs: what a name may hold, and how
//! a scenario's text is echoed in messages.
//!
//! Names (the scenario's `name`, strategy and step labels, class, pool,
//! link, service and queue names, spawn names) appear in report.md tables,
//! report.html, the SVG charts, junit.xml, CSV files, file names and the
//! terminal. Markup characters (`<`, `&`, `|`, `` ` ``, `]]>`) are escaped by
//! each output; what no output can show safely is refused at parse time
//! ([`first_unsafe`]): control characters (C0, DEL, C1), which make XML
//! ill-formed and drive terminals, bidirectional overrides and isolates
//! (U+202A–U+202E, U+2066–U+2069), which reorder the text around them, and
//! line breaks (also U+2028 and U+2029), which break tables and lines. A
//! description may hold line breaks (`\n`) and tabs, nothing else of these.
//!
//! Messages echo scenario text through [`echo`]: unsafe characters written
//! as `\u{…}` escapes, and at most [`ECHO_CHARS`] characters, so a
//! megabyte-long key is not printed in full.

/// Longest name, in bytes (UTF-8). The scenario's name becomes the report
/// directory's name and a strategy's label a file name (`--export hgrm`);
/// file systems allow 255 bytes in one name.
pub const MAX_NAME_BYTES: usize = 200;

/// Most characters of scenario text a message echoes.
pub const ECHO_CHARS: usize = 80;

/// Whether `c` is a line break: LF, CR, NEL (U+0085), U+2028, U+2029.
fn is_line_break(c: char) -> bool {
    matches!(c, '\n' | '\r' | '\u{85}' | '\u{2028}' | '\u{2029}')
}

/// Whether `c` is a bidirectional embedding, override or isolate.
fn is_bidi_control(c: char) -> bool {
    matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}')
}

/// Whether no output can show `c` as it is.
pub fn is_unsafe(c: char) -> bool {
    c.is_control() || is_bidi_control(c) || is_line_break(c)
}

/// The first character of `text` that may not appear in it, with its
/// 1-based position in characters; `multiline` allows `\n` and `\t` (a
/// description).
pub fn first_unsafe(text: &str, multiline: bool) -> Option<(usize, char)> {
    text.chars()
        .enumerate()
        .find(|&(_, c)| is_unsafe(c) && !(multiline && matches!(c, '\n' | '\t')))
        .map(|(i, c)| (i + 1, c))
}

/// What `c` (an unsafe character) is, for a message: `U+0001 (a control
/// character)`.
pub fn describe_char(c: char) -> String {
    let what = if is_line_break(c) {
        "a line break"
    } else if is_bidi_control(c) {
        "a bidirectional override"
    } else {
        "a control character"
    };
    format!("U+{:04X} ({what})", c as u32)
}

/// `text` as a message may show it: each unsafe character as `\u{XXXX}`,
/// cut after [`ECHO_CHARS`] characters with an ellipsis.
pub fn echo(text: &str) -> String {
    let mut out = String::new();
    for (i, c) in text.chars().enumerate() {
        if i == ECHO_CHARS {
            out.push('…');
            break;
        }
        if is_unsafe(c) {
            out.push_str(&format!("\\u{{{:04X}}}", c as u32));
        } else {
            out.push(c);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn refuses_controls_bidi_and_line_breaks() {
        assert_eq!(first_unsafe("downloads", false), None);
        assert_eq!(first_unsafe("<script> & | `x` ]]> ünï 日本", false), None);
        assert_eq!(first_unsafe("a\u{1}b", false), Some((2, '\u{1}')));
        assert_eq!(first_unsafe("ab\u{7f}", false), Some((3, '\u{7f}')));
        assert_eq!(first_unsafe("\u{9b}31m", false), Some((1, '\u{9b}')));
        assert_eq!(first_unsafe("x\u{202E}y", false), Some((2, '\u{202E}')));
        assert_eq!(first_unsafe("x\u{2068}y", false), Some((2, '\u{2068}')));
        assert_eq!(first_unsafe("one\ntwo", false), Some((4, '\n')));
        assert_eq!(first_unsafe("one\u{2028}two", false), Some((4, '\u{2028}')));
        assert_eq!(first_unsafe("one\ntwo\tthree", true), None);
        assert_eq!(first_unsafe("one\r\ntwo", true), Some((4, '\r')));
        assert_eq!(describe_char('\u{1b}'), "U+001B (a control character)");
        assert_eq!(describe_char('\u{202E}'), "U+202E (a bidirectional override)");
        assert_eq!(describe_char('\n'), "U+000A (a line break)");
    }

    #[test]
    fn echoes_escaped_and_short() {
        assert_eq!(echo("a\u{1b}[31mb"), "a\\u{001B}[31mb");
        let long = "k".repeat(1000);
        let shown = echo(&long);
        assert_eq!(shown.chars().count(), ECHO_CHARS + 1);
        assert!(shown.ends_with('…'));
        assert_eq!(echo(&"k".repeat(ECHO_CHARS)), "k".repeat(ECHO_CHARS));
    }
}
