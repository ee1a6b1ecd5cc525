//! Converts the HTML in `smithy.api#documentation` to Markdown lines for rustdoc.
//!
//! AWS documentation uses a small set of tags (`p`, `code`, `a`, `ul`/`ol`/`li`, `b`/`i`,
//! `note`, `important`, `dl`/`dt`/`dd`, `br`). Everything else is dropped but its text kept.
//! Text is escaped so that rustdoc sees no accidental links (`[x]`) or HTML (`<x>`).

/// Documentation longer than this (in bytes of HTML) is cut here, with a note saying so. The
/// longest in published AWS models is about 63 KB.
pub const MAX_DOC_BYTES: usize = 256 * 1024;

/// Lists nested deeper than this are indented no further.
const MAX_LIST_INDENT: usize = 8;

/// Markdown lines for a documentation string (empty when there is nothing to say). Linear in
/// the length of `html`; every line is safe in a doc comment (see [`sanitize`]).
pub fn to_markdown(html: &str) -> Vec<String> {
    let mut out = Converter::default();
    let cut = (html.len() > MAX_DOC_BYTES).then(|| {
        let mut end = MAX_DOC_BYTES;
        while !html.is_char_boundary(end) {
            end -= 1;
        }
        end
    });
    out.run(&html[..cut.unwrap_or(html.len())]);
    let mut lines = out.finish();
    if cut.is_some() {
        lines.push(String::new());
        lines.push(format!("(Documentation cut at {MAX_DOC_BYTES} of its {} bytes.)", html.len()));
    }
    lines
}

/// Characters rustc refuses in doc comments or that change how text reads: the Unicode
/// bidirectional controls (rustc's `text_direction_codepoint_in_comment`/`_in_literal` set plus
/// the LRM/RLM/ALM marks).
pub fn is_bidi_control(c: char) -> bool {
    matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}' | '\u{200E}' | '\u{200F}' | '\u{061C}')
}

/// `line` with bidirectional controls and other control characters (a lone CR, NUL, escape
/// sequences) removed, tabs kept as spaces: safe in a `///` comment and on a terminal.
pub fn sanitize(line: &str) -> std::borrow::Cow<'_, str> {
    if line.chars().any(|c| is_bidi_control(c) || c.is_control()) {
        line.chars()
            .filter(|c| !is_bidi_control(*c))
            .filter_map(|c| {
                if c == '\t' {
                    Some(' ')
                } else if c.is_control() {
                    None
                } else {
                    Some(c)
                }
            })
            .collect::<String>()
            .into()
    } else {
        line.into()
    }
}

fn longest_backtick_run(text: &str) -> usize {
    text.split(|c| c != '`').map(str::len).max().unwrap_or(0)
}

#[derive(Default)]
struct Converter {
    blocks: Vec<String>,
    current: String,
    list_stack: Vec<(bool, usize)>,
    link: Option<(String, String)>,
    in_code: bool,
    in_pre: bool,
}

impl Converter {
    fn run(&mut self, html: &str) {
        let mut rest = html;
        while let Some(tag_start) = rest.find('<') {
            self.text(&rest[..tag_start]);
            let after = &rest[tag_start + 1..];
            // A tag ends at the first `>`, unless another `<` comes first: scanning stops there,
            // so each byte is looked at a bounded number of times (`<<<<` stays linear).
            match after.find(['<', '>']) {
                Some(end) if after.as_bytes()[end] == b'>' && looks_like_tag(&after[..end]) => {
                    self.tag(&after[..end]);
                    rest = &after[end + 1..];
                }
                _ => {
                    self.text("<");
                    rest = after;
                }
            }
        }
        self.text(rest);
    }

    fn text(&mut self, raw: &str) {
        if raw.is_empty() {
            return;
        }
        let decoded = decode_entities(raw);
        if self.in_pre {
            self.current.push_str(&decoded);
            return;
        }
        let mut collapsed = String::new();
        let mut last_space = self.current.is_empty() || self.current.ends_with([' ', '\n']);
        for c in decoded.chars() {
            if c.is_whitespace() {
                if !last_space {
                    collapsed.push(' ');
                }
                last_space = true;
            } else {
                last_space = false;
                if self.in_code {
                    if c == '`' {
                        collapsed.push('\'');
                    } else {
                        collapsed.push(c);
                    }
                } else {
                    match c {
                        '[' | ']' | '*' | '_' | '`' | '\\' => {
                            collapsed.push('\\');
                            collapsed.push(c);
                        }
                        '<' => collapsed.push_str("&lt;"),
                        '>' => collapsed.push_str("&gt;"),
                        _ => collapsed.push(c),
                    }
                }
            }
        }
        match &mut self.link {
            Some((_, text)) => text.push_str(&collapsed),
            None => self.current.push_str(&collapsed),
        }
    }

    fn end_block(&mut self) {
        let block = self.current.trim().to_owned();
        if !block.is_empty() {
            self.blocks.push(block);
        }
        self.current.clear();
    }

    fn tag(&mut self, raw: &str) {
        let closing = raw.starts_with('/');
        let body = raw.trim_start_matches('/').trim_end_matches('/');
        let name: String =
            body.chars().take_while(|c| c.is_ascii_alphanumeric()).collect::<String>().to_ascii_lowercase();
        match (name.as_str(), closing) {
            ("p" | "div" | "note" | "important" | "dl" | "fullname" | "h1" | "h2" | "h3" | "h4", _) => {
                // A paragraph that opens a list item continues the item's line.
                let after_marker =
                    self.current.trim_end().ends_with(['-', '.']) && !self.list_stack.is_empty() && !closing;
                if !after_marker {
                    self.end_block();
                }
                if !closing && matches!(name.as_str(), "note" | "important") {
                    self.current.push_str(if name == "note" { "**Note:** " } else { "**Important:** " });
                }
            }
            ("br", _) => self.end_block(),
            ("ul" | "ol", false) => {
                self.end_block();
                self.list_stack.push((name == "ol", 0));
            }
            ("ul" | "ol", true) => {
                self.end_block();
                self.list_stack.pop();
            }
            ("li" | "dt" | "dd", false) => {
                self.end_block();
                let depth = self.list_stack.len().saturating_sub(1).min(MAX_LIST_INDENT);
                let indent = "  ".repeat(depth);
                let marker = match self.list_stack.last_mut() {
                    Some((true, n)) => {
                        *n += 1;
                        format!("{n}. ")
                    }
                    _ if name == "dd" => "  ".to_owned(),
                    _ => "- ".to_owned(),
                };
                self.current.push_str(&indent);
                self.current.push_str(&marker);
            }
            ("li" | "dt" | "dd", true) => self.end_block(),
            ("code", false) if !self.in_pre => {
                self.in_code = true;
                self.current.push('`');
            }
            ("code", true) if !self.in_pre => {
                self.in_code = false;
                if self.current.ends_with('`') {
                    self.current.pop();
                } else {
                    self.current.push('`');
                }
            }
            ("pre", false) => {
                self.end_block();
                self.in_pre = true;
                self.current.push_str("```text\n");
            }
            ("pre", true) => {
                self.in_pre = false;
                let body = self.current.trim_end().strip_prefix("```text\n").unwrap_or_default().to_owned();
                // A fence longer than any backtick run in the text, so the model cannot end it
                // early and have rustdoc compile what follows.
                let fence = "`".repeat(longest_backtick_run(&body).max(2) + 1);
                self.current = format!("{fence}text\n{body}\n{fence}");
                self.blocks.push(std::mem::take(&mut self.current));
            }
            ("b" | "strong", _) => self.current.push_str("**"),
            ("i" | "em", _) => self.current.push('*'),
            ("a", false) => {
                let href = attr(body, "href").unwrap_or_default();
                self.link = Some((href, String::new()));
            }
            ("a", true) => {
                if let Some((href, text)) = self.link.take() {
                    let text = text.trim();
                    if href.starts_with("http") {
                        if text.is_empty() {
                            self.current.push_str(&format!("<{href}>"));
                        } else {
                            self.current.push_str(&format!("[{text}]({href})"));
                        }
                    } else {
                        self.current.push_str(text);
                    }
                }
            }
            _ => {}
        }
    }

    fn finish(mut self) -> Vec<String> {
        self.end_block();
        let mut lines = Vec::new();
        let mut previous_item = false;
        for block in self.blocks {
            let is_item = block.trim_start().starts_with("- ")
                || block.trim_start().chars().next().is_some_and(|c| c.is_ascii_digit());
            if !lines.is_empty() && (!is_item || !previous_item) {
                lines.push(String::new());
            }
            previous_item = is_item;
            lines.extend(block.lines().map(|l| sanitize(l.trim_end()).into_owned()));
        }
        lines
    }
}

fn looks_like_tag(inner: &str) -> bool {
    let inner = inner.trim_start_matches('/');
    inner.chars().next().is_some_and(|c| c.is_ascii_alphabetic()) && !inner.contains('<')
}

fn attr(tag: &str, name: &str) -> Option<String> {
    let start = tag.find(&format!("{name}="))? + name.len() + 1;
    let rest = &tag[start..];
    let quote = rest.chars().next()?;
    if quote == '"' || quote == '\'' {
        let end = rest[1..].find(quote)?;
        Some(decode_entities(&rest[1..=end]))
    } else {
        Some(rest.split_whitespace().next().unwrap_or("").to_owned())
    }
}

fn decode_entities(s: &str) -> String {
    if !s.contains('&') {
        return s.to_owned();
    }
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    while let Some(i) = rest.find('&') {
        out.push_str(&rest[..i]);
        let after = &rest[i..];
        // Entities are short: look for the `;` in the next few bytes only (linear on `&&&&`).
        let end = after.bytes().take(11).position(|b| b == b';');
        let decoded = end.and_then(|e| match &after[1..e] {
            "lt" => Some('<'),
            "gt" => Some('>'),
            "amp" => Some('&'),
            "quot" => Some('"'),
            "apos" => Some('\''),
            "nbsp" => Some(' '),
            num if num.starts_with("#x") => u32::from_str_radix(&num[2..], 16).ok().and_then(char::from_u32),
            num if num.starts_with('#') => num[1..].parse().ok().and_then(char::from_u32),
            _ => None,
        });
        match (decoded, end) {
            (Some(c), Some(e)) => {
                out.push(c);
                rest = &after[e + 1..];
            }
            _ => {
                out.push('&');
                rest = &after[1..];
            }
        }
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn converts_common_aws_html() {
        let html = "<p>Places an <b>inbound</b> call to <code>InstanceId</code>.</p> <p>See <a href=\"https://example.com/x\">the guide</a> &amp; more [brackets].</p><ul><li><p>One</p></li><li>Two</li></ul>";
        assert_eq!(
            to_markdown(html),
            [
                "Places an **inbound** call to `InstanceId`.",
                "",
                "See [the guide](https://example.com/x) & more \\[brackets\\].",
                "",
                "- One",
                "- Two"
            ]
        );
    }

    #[test]
    fn plain_text_and_entities() {
        assert_eq!(to_markdown("A &lt;tag&gt; and x < y"), ["A &lt;tag&gt; and x &lt; y"]);
        assert!(to_markdown("  ").is_empty());
        assert_eq!(to_markdown("<note><p>Careful</p></note>"), ["**Note:**", "", "Careful"]);
    }
}
