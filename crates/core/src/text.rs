//! Free-form text from clients (titles, names, queries, device ids): bounded, and free of
//! control characters, which no display wants and some stores and logs mishandle.

/// `None` when `s` is acceptable as `field`: at most `max` characters, none of them a control
/// character (`allow_lines` lets a description keep its line breaks and tabs); otherwise why not.
pub fn refusal(field: &str, s: &str, max: usize, allow_lines: bool) -> Option<String> {
    if s.chars().count() > max {
        return Some(format!("{field} is longer than {max} characters"));
    }
    let bad = |c: char| c.is_control() && !(allow_lines && matches!(c, '\n' | '\r' | '\t'));
    s.chars().find(|c| bad(*c)).map(|c| {
        format!(
            "{field} must not contain control characters (found U+{:04X})",
            c as u32
        )
    })
}

#[cfg(test)]
mod tests {
    use super::refusal;

    #[test]
    fn text_is_bounded_and_printable() {
        assert_eq!(refusal("title", "Road trip ☀", 20, false), None);
        assert!(refusal("title", "a\0b", 20, false)
            .unwrap()
            .contains("U+0000"));
        assert!(refusal("title", "a\nb", 20, false).is_some());
        assert_eq!(refusal("description", "a\nb\tc", 20, true), None);
        assert!(refusal("description", "a\u{7f}", 20, true).is_some());
        assert!(refusal("title", &"x".repeat(21), 20, false)
            .unwrap()
            .contains("longer"));
    }
}
