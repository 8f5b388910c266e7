//! Free-form text from clients (titles, names, queries, device ids): bounded, and free of
//! control characters, which no display wants and some stores and logs mishandle.

/// `None` when `s` is acceptable as `field`: at most `max` characters, none of them a control
/// character (`allow_lines` lets a description keep its line breaks and tabs); otherwise why not.
pub fn refusal(field: &str, s: &str, max: usize, allow_lines: bool) -> Option<String> {
    if s.chars().count() > max {
        return Some(format!("{field} is longer than {max} characters"));
    }
    let forbidden = if allow_lines { LINES } else { CONTROL };
    s.chars().find(|c| within(forbidden, *c)).map(|c| {
        format!(
            "{field} must not contain control characters (found U+{:04X})",
            c as u32
        )
    })
}

/// A name or title as given, trimmed of what cannot be seen at its ends, if it is acceptable as
/// `field`: at most `max` characters, none of them a control character, and at least one of
/// them visible (" \u{a0}\u{200b}" is blank); otherwise why not.
pub fn name(field: &str, s: &str, max: usize) -> Result<String, String> {
    if let Some(why) = refusal(field, s, max, false) {
        return Err(why);
    }
    let trimmed = s.trim_matches(invisible);
    if trimmed.is_empty() {
        return Err(format!(
            "{field} must hold 1 to {max} characters, at least one of them visible"
        ));
    }
    Ok(trimmed.to_string())
}

/// What displays as nothing: Unicode's White_Space, the code points Unicode says display as
/// nothing (Default_Ignorable_Code_Point: zero-width spaces and joiners, bidirectional marks,
/// variation selectors, fillers, tags), and the blank Braille pattern. The lists are short and
/// fixed by Unicode, so they are written out here rather than taken from a crate of every
/// property; `name_pattern` states the same ranges in `/openapi.json`.
const BLANK: &[(char, char)] = &[
    ('\u{0009}', '\u{000D}'),
    ('\u{0020}', '\u{0020}'),
    ('\u{0085}', '\u{0085}'),
    ('\u{00A0}', '\u{00A0}'),
    ('\u{00AD}', '\u{00AD}'),
    ('\u{034F}', '\u{034F}'),
    ('\u{061C}', '\u{061C}'),
    ('\u{115F}', '\u{1160}'),
    ('\u{1680}', '\u{1680}'),
    ('\u{17B4}', '\u{17B5}'),
    ('\u{180B}', '\u{180F}'),
    ('\u{2000}', '\u{200F}'),
    ('\u{2028}', '\u{202F}'),
    ('\u{205F}', '\u{206F}'),
    ('\u{2800}', '\u{2800}'),
    ('\u{3000}', '\u{3000}'),
    ('\u{3164}', '\u{3164}'),
    ('\u{FE00}', '\u{FE0F}'),
    ('\u{FEFF}', '\u{FEFF}'),
    ('\u{FFA0}', '\u{FFA0}'),
    ('\u{FFF0}', '\u{FFF8}'),
    ('\u{1BCA0}', '\u{1BCA3}'),
    ('\u{1D173}', '\u{1D17A}'),
    ('\u{E0000}', '\u{E0FFF}'),
];

/// Control characters (general category Cc, what `char::is_control` is): no text holds one.
const CONTROL: &[(char, char)] = &[('\u{0000}', '\u{001F}'), ('\u{007F}', '\u{009F}')];

/// The control characters a text that keeps its line breaks and tabs (`allow_lines`) must not
/// hold: all but `\t`, `\n` and `\r`.
const LINES: &[(char, char)] = &[
    ('\u{0000}', '\u{0008}'),
    ('\u{000B}', '\u{000C}'),
    ('\u{000E}', '\u{001F}'),
    ('\u{007F}', '\u{009F}'),
];

fn within(ranges: &[(char, char)], c: char) -> bool {
    ranges.iter().any(|(a, b)| (*a..=*b).contains(&c))
}

/// Whether `c` displays as nothing (`BLANK`).
pub fn invisible(c: char) -> bool {
    within(BLANK, c)
}

/// `ranges` as the inside of a regular expression's character class: `\uXXXX` escapes for
/// the Basic Multilingual Plane (ECMA-262 and Python read them alike), the characters
/// themselves beyond it.
fn class(ranges: &[(char, char)]) -> String {
    let one = |c: char| match c as u32 {
        n @ 0..=0xFFFF => format!("\\u{n:04X}"),
        _ => c.to_string(),
    };
    ranges
        .iter()
        .map(|(a, b)| match a == b {
            true => one(*a),
            false => format!("{}-{}", one(*a), one(*b)),
        })
        .collect()
}

/// The pattern of a text `refusal` takes (the same ranges): what `/openapi.json` says of
/// free-form text.
pub fn text_pattern(allow_lines: bool) -> String {
    format!("^[^{}]*$", class(if allow_lines { LINES } else { CONTROL }))
}

/// The pattern of a name or title `name` takes: no control character, and at least one that
/// is not blank.
pub fn name_pattern() -> String {
    let control = class(CONTROL);
    let blank = class(BLANK);
    format!("^[^{control}]*[^{control}{blank}][^{control}]*$")
}

/// A title without its trailing bracketed note ("… [Explicit]", "… (Remastered)").
pub fn short_title(title: &str) -> &str {
    let t = title.trim_end();
    for (open, close) in [('[', ']'), ('(', ')')] {
        if t.ends_with(close) {
            if let Some(i) = t.rfind(open) {
                let head = t[..i].trim_end();
                if !head.is_empty() {
                    return head;
                }
            }
        }
    }
    t
}

/// A title as people say it: without any of its trailing bracketed notes ("Interstellar
/// (Original Motion Picture Soundtrack) [Expanded Edition]" is "Interstellar").
pub fn spoken_title(title: &str) -> &str {
    let mut t = title;
    loop {
        let shorter = short_title(t);
        if shorter == t {
            return t;
        }
        t = shorter;
    }
}

/// Whether a name and what someone said are the same words, as a listener hears them: case,
/// punctuation and trailing bracketed notes ("[Explicit]") aside.
pub fn same_words(name: &str, said: &str) -> bool {
    let said = search_words(said);
    !said.is_empty() && (search_words(name) == said || search_words(spoken_title(name)) == said)
}

/// The words of a text as search sees them: letters and digits, lower case, accents removed
/// ("Beyoncé  RÖYKSOPP—live!" is `beyonce`, `royksopp`, `live`).
pub fn search_words(text: &str) -> Vec<String> {
    use unicode_normalization::UnicodeNormalization;
    if text.is_ascii() {
        return text
            .split(|c: char| !c.is_ascii_alphanumeric())
            .filter(|w| !w.is_empty())
            .map(str::to_ascii_lowercase)
            .collect();
    }
    let folded: String = text
        .nfd()
        .filter(|c| !('\u{300}'..='\u{36f}').contains(c))
        .flat_map(char::to_lowercase)
        .collect();
    folded
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(String::from)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::{name, refusal, same_words, short_title, spoken_title};

    #[test]
    fn names_match_what_was_said() {
        assert_eq!(
            spoken_title("Interstellar (Original Motion Picture Soundtrack) [Expanded Edition]"),
            "Interstellar"
        );
        assert_eq!(spoken_title("(What's the Story)"), "(What's the Story)");
        assert!(same_words(
            "Interstellar (Original) [Expanded]",
            "interstellar"
        ));
        assert!(same_words(
            "The New Abnormal [Explicit]",
            "the new abnormal"
        ));
        assert!(same_words("AC/DC", "ac dc"));
        assert!(same_words("Pop", "POP"));
        assert!(!same_words("Pop Rock", "pop"));
        assert!(!same_words("Pop", ""));
    }

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

    #[test]
    fn a_name_needs_a_visible_character() {
        assert_eq!(
            name("title", "  Road Trip\u{200b} ", 20),
            Ok("Road Trip".into())
        );
        assert_eq!(
            name("title", "\u{200b}x\u{200d}y", 20),
            Ok("x\u{200d}y".into())
        );
        for blank in [
            "",
            "   ",
            "   \u{a0}\u{200b}",
            "\u{feff}\u{2060}",
            "\u{3164}",
            "\u{2800}",
        ] {
            let why = name("title", blank, 20).unwrap_err();
            assert!(why.contains("visible"), "{blank:?}: {why}");
        }
        assert!(name("title", "a\u{0}", 20).unwrap_err().contains("control"));
        assert_eq!(name("title", "👍🏽", 20), Ok("👍🏽".into()));
    }

    #[test]
    fn the_patterns_say_what_the_checks_take() {
        use super::{name_pattern, text_pattern};
        let name_re = regex::Regex::new(&name_pattern()).unwrap();
        let text_re = regex::Regex::new(&text_pattern(false)).unwrap();
        let lines_re = regex::Regex::new(&text_pattern(true)).unwrap();
        let samples = [
            "Road Trip",
            " x ",
            "",
            " ",
            "\u{a0}\u{200b}",
            "\u{3000}",
            "a\u{0}",
            "\u{7f}b",
            "\u{85}",
            "x\ny",
            "x\ty",
            "\u{9f}",
            "\u{a0}",
            "\u{feff}\u{e0001}",
            "\u{e0001}z",
            "👍🏽",
            "\u{1bca0}",
            "\u{2800}",
            "ab\u{200d}c",
            "\u{180e}",
            "\u{1d17a}",
        ];
        for s in samples {
            assert_eq!(name_re.is_match(s), name("t", s, 200).is_ok(), "name {s:?}");
            assert_eq!(
                text_re.is_match(s),
                refusal("t", s, 200, false).is_none(),
                "text {s:?}"
            );
            assert_eq!(
                lines_re.is_match(s),
                refusal("t", s, 200, true).is_none(),
                "lines {s:?}"
            );
        }
    }

    #[test]
    fn short_titles_drop_the_trailing_note() {
        assert_eq!(
            short_title("The New Abnormal [Explicit]"),
            "The New Abnormal"
        );
        assert_eq!(short_title("Song (Remastered 2011)"), "Song");
        assert_eq!(short_title("[Untitled]"), "[Untitled]");
        assert_eq!(short_title("Plain"), "Plain");
    }
}
