//! Server-sent text made safe for log lines and `Display`: bounded in length and with control
//! characters escaped, so a huge error code cannot become a huge log line and a newline or a
//! terminal escape sequence cannot forge one. Accessors keep returning the raw value.

use std::fmt;

/// How many bytes of one server-sent value [`Bounded`] shows by default (then a marker that
/// says how long the value was).
pub const MAX_DISPLAY_BYTES: usize = 2048;

/// Displays text with control characters (and Unicode line separators and bidirectional
/// overrides) escaped as `\n`, `\u{1b}`, ..., cut after [`MAX_DISPLAY_BYTES`] bytes of input
/// with `…[cut: N bytes in total]`. `Debug` shows the same between quotes.
///
/// ```
/// use awslim_runtime::text::Bounded;
/// assert_eq!(Bounded::new("a\nb\u{1b}[31m").to_string(), "a\\nb\\u{1b}[31m");
/// assert_eq!(Bounded::with_max("abcdef", 3).to_string(), "abc…[cut: 6 bytes in total]");
/// ```
#[derive(Clone, Copy)]
pub struct Bounded<'a> {
    text: &'a str,
    max: usize,
}

impl<'a> Bounded<'a> {
    /// `text`, showing at most [`MAX_DISPLAY_BYTES`] bytes of it.
    pub fn new(text: &'a str) -> Self {
        Bounded { text, max: MAX_DISPLAY_BYTES }
    }
    /// `text`, showing at most `max` bytes of it.
    pub fn with_max(text: &'a str, max: usize) -> Self {
        Bounded { text, max }
    }
}

fn needs_escape(c: char) -> bool {
    c.is_control()
        || matches!(c, '\u{2028}' | '\u{2029}' | '\u{200e}' | '\u{200f}' | '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}')
}

impl fmt::Display for Bounded<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, c) in self.text.char_indices() {
            if i + c.len_utf8() > self.max {
                return write!(f, "…[cut: {} bytes in total]", self.text.len());
            }
            if needs_escape(c) {
                match c {
                    '\n' => f.write_str("\\n")?,
                    '\r' => f.write_str("\\r")?,
                    '\t' => f.write_str("\\t")?,
                    _ => write!(f, "{}", c.escape_unicode())?,
                }
            } else {
                fmt::Write::write_char(f, c)?;
            }
        }
        Ok(())
    }
}

impl fmt::Debug for Bounded<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "\"{self}\"")
    }
}

/// [`Bounded`] as an owned string (for log fields recorded by value).
pub fn bounded(text: &str) -> String {
    Bounded::new(text).to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_and_cuts() {
        assert_eq!(bounded("plain text: ok"), "plain text: ok");
        assert_eq!(bounded("x\r\nFAKE LOG LINE"), "x\\r\\nFAKE LOG LINE");
        assert_eq!(bounded("\u{1b}[2J\u{7}\u{202e}\u{2028}"), "\\u{1b}[2J\\u{7}\\u{202e}\\u{2028}");
        assert_eq!(bounded("ünïcödé ✓"), "ünïcödé ✓");
        let huge = "A".repeat(20 << 20);
        let shown = bounded(&huge);
        assert!(shown.len() < MAX_DISPLAY_BYTES + 64, "{}", shown.len());
        assert!(shown.ends_with(&format!("…[cut: {} bytes in total]", 20 << 20)), "{}", &shown[2000..]);
        // Never cuts inside a character.
        assert_eq!(Bounded::with_max("éé", 3).to_string(), "é…[cut: 4 bytes in total]");
        assert_eq!(format!("{:?}", Bounded::new("a\"b")), "\"a\"b\"");
    }
}
