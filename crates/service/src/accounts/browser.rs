//! The browser a sign-in comes from: its cookie, by which signing in again from it replaces
//! its link, and its User-Agent, of which the link gets a name a person reads ("Firefox on
//! Linux").

/// Longest name a person gives a link.
pub const MAX_LABEL: usize = 60;

/// What the sign-in form knows of the browser that sent it.
#[derive(Clone, Debug, Default)]
pub struct Browser {
    /// The value of the browser's long-lived sign-in cookie.
    pub cookie: Option<String>,
    pub user_agent: Option<String>,
}

impl Browser {
    /// "Firefox on Linux", "Safari on iPhone": the browser's and the system's names, where
    /// the User-Agent gives them away.
    pub fn label(&self) -> Option<String> {
        let ua = self.user_agent.as_deref()?;
        let found = |names: &[(&str, &'static str)]| {
            names
                .iter()
                .find(|(token, _)| ua.contains(token))
                .map(|(_, name)| *name)
        };
        // Order matters: Edge and Opera say Chrome, Chrome says Safari, Android says Linux.
        let browser = found(&[
            ("Edg/", "Edge"),
            ("OPR/", "Opera"),
            ("Firefox/", "Firefox"),
            ("Chromium/", "Chromium"),
            ("Chrome/", "Chrome"),
            ("Safari/", "Safari"),
        ]);
        let system = found(&[
            ("iPhone", "iPhone"),
            ("iPad", "iPad"),
            ("Android", "Android"),
            ("CrOS", "ChromeOS"),
            ("Windows", "Windows"),
            ("Mac OS X", "macOS"),
            ("Linux", "Linux"),
        ]);
        match (browser, system) {
            (Some(b), Some(s)) => Some(format!("{b} on {s}")),
            (Some(b), None) => Some(b.to_string()),
            (None, Some(s)) => Some(format!("A browser on {s}")),
            (None, None) => None,
        }
    }
}

/// A name a person gave a link, trimmed; refused when empty, too long or holding control
/// characters.
pub fn given_label(typed: &str) -> Result<String, String> {
    let label = typed.trim();
    if label.is_empty() {
        return Err("a name must not be empty".into());
    }
    if label.chars().count() > MAX_LABEL {
        return Err(format!("a name is at most {MAX_LABEL} characters"));
    }
    if label.chars().any(char::is_control) {
        return Err("a name must not hold control characters".into());
    }
    Ok(label.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn label(ua: &str) -> Option<String> {
        Browser {
            cookie: None,
            user_agent: Some(ua.into()),
        }
        .label()
    }

    #[test]
    fn browsers_are_named_as_people_know_them() {
        assert_eq!(
            label("Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0")
                .as_deref(),
            Some("Firefox on Linux")
        );
        assert_eq!(
            label("Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Safari/537.36 Edg/120.0.0.0").as_deref(),
            Some("Edge on Windows")
        );
        assert_eq!(
            label("Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.0 Mobile/15E148 Safari/604.1").as_deref(),
            Some("Safari on iPhone")
        );
        assert_eq!(
            label("Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0 Mobile Safari/537.36").as_deref(),
            Some("Chrome on Android")
        );
        assert_eq!(label("curl/8.5.0"), None);
    }

    #[test]
    fn given_names_are_trimmed_and_bounded() {
        assert_eq!(given_label("  Kitchen tablet ").unwrap(), "Kitchen tablet");
        assert!(given_label("   ").is_err());
        assert!(given_label(&"x".repeat(61)).is_err());
        assert!(given_label("a\u{7}b").is_err());
    }
}
