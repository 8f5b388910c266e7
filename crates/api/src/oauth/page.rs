//! The sign-in pages, rendered on the server: plain HTML forms that work without JavaScript
//! and on a phone's screen, every value escaped.

use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use medley_service::accounts::oauth::Authorization;
use medley_service::accounts::User;
use medley_service::library::folders::{FolderState, FolderStatus};

/// What each scope lets an application do, as the consent page says it.
fn scope_text(scope: &str) -> &'static str {
    match scope {
        "music::playback" => "play music and control what plays",
        "music::catalog" => "look up and search the catalog",
        "music::profile" => "see and change your profile",
        "music::profile:read" => "see your profile",
        "music::favorites" => "see and change what you follow",
        "music::favorites:read" => "see what you follow",
        "music::history" => "see what you played",
        "music::library" => "see and change your library and playlists",
        "music::library:read" => "see your library and playlists",
        "music::recommendation" => "see recommendations for you",
        _ => "an access Medley does not describe",
    }
}

/// `s` safe inside HTML text and attribute values.
pub fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

const STYLE: &str = "body{font-family:system-ui,sans-serif;margin:0;background:#f4f4f6;color:#111}\
main{max-width:26rem;margin:2rem auto;padding:1.5rem;background:#fff;border-radius:.75rem;\
box-shadow:0 1px 4px #0002}h1{font-size:1.4rem;margin-top:0}label{display:block;margin:.8rem 0 .3rem}\
input[type=text],input[type=password],select{width:100%;box-sizing:border-box;padding:.7rem;font-size:1rem;\
border:1px solid #999;border-radius:.4rem}h2{font-size:1.1rem;margin-top:1.8rem}li{margin-bottom:1rem}code{white-space:nowrap}ul{padding-left:1.2rem}.row{display:flex;gap:.75rem;\
margin-top:1.2rem}button{flex:1;padding:.8rem;font-size:1rem;border-radius:.4rem;border:1px solid #555;\
background:#fff}button[value=allow]{background:#1f4fd1;color:#fff;border-color:#1f4fd1}\
.error{background:#fde8e8;border:1px solid #c33;padding:.6rem;border-radius:.4rem}\
@media (max-width:30rem){main{margin:0;border-radius:0;min-height:100vh}}\
:root{color-scheme:light dark}@media (prefers-color-scheme:dark){body{background:#0f0f11;color:#eee}\
main{background:#1b1b1e;box-shadow:none}input[type=text],input[type=password],select{background:#0f0f11;\
color:#eee;border-color:#777}button{background:#1b1b1e;color:#eee;border-color:#888}\
button[value=allow]{background:#2f5fe0;border-color:#2f5fe0}.error{background:#3a1515;border-color:#d55}\
a{color:#8fb3ff}}";

fn html(status: StatusCode, title: &str, body: &str) -> Response {
    let page = format!(
        "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\">\
<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
<title>{} · Medley</title><style>{STYLE}</style></head><body><main>{body}</main></body></html>",
        escape(title)
    );
    let mut res = (status, page).into_response();
    let h = res.headers_mut();
    h.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/html; charset=utf-8"),
    );
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    h.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(
            "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'none'; base-uri 'none'",
        ),
    );
    h.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    h.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("no-referrer"),
    );
    res
}

/// A refusal that cannot go back to the application: what went wrong, and nothing to click.
pub fn error(status: StatusCode, message: &str) -> Response {
    html(
        status,
        "Cannot sign in",
        &format!(
            "<h1>Medley cannot sign you in</h1><p class=\"error\" role=\"alert\">{}</p>\
<p>Go back to the application and try again, or tell its developer.</p>",
            escape(message)
        ),
    )
}

/// A form of the account or admin page that was refused: why, and the way back.
pub fn refused(status: StatusCode, message: &str, back: &str) -> Response {
    html(
        status,
        "Not done",
        &format!(
            "<h1>That was not done</h1><p class=\"error\" role=\"alert\">{}</p>\
<p><a href=\"{}\">Back</a></p>",
            escape(message),
            escape(back)
        ),
    )
}

/// What a sign-in and consent form asks, and where it goes back to.
pub struct Consent<'a> {
    /// The form's target: `/ap/oa` or `/code`.
    pub action: &'a str,
    pub app: &'a str,
    pub scopes: &'a [String],
    /// The request's parameters, riding along as hidden fields (checked again on return).
    pub hidden: Vec<(&'static str, String)>,
}

/// The hidden fields of an authorization request.
pub fn authorization_fields(a: &Authorization) -> Vec<(&'static str, String)> {
    let mut fields = vec![
        ("client_id", a.client.api_key.clone()),
        ("redirect_uri", a.redirect_uri.clone()),
        ("response_type", "code".to_string()),
        ("scope", a.scopes.join(" ")),
    ];
    if let Some(state) = &a.state {
        fields.push(("state", state.clone()));
    }
    if let Some((challenge, method)) = &a.challenge {
        fields.push(("code_challenge", challenge.clone()));
        fields.push(("code_challenge_method", method.as_str().to_string()));
    }
    fields
}

fn hidden(name: &str, value: &str) -> String {
    format!(
        "<input type=\"hidden\" name=\"{name}\" value=\"{}\">",
        escape(value)
    )
}

/// The sign-in and consent form.
pub fn sign_in(
    status: StatusCode,
    c: &Consent,
    csrf: &str,
    login: &str,
    problem: Option<&str>,
) -> Response {
    let mut fields = hidden("csrf", csrf);
    for (name, value) in &c.hidden {
        fields.push_str(&hidden(name, value));
    }
    let scopes: String = c
        .scopes
        .iter()
        .map(|s| format!("<li>{}</li>", escape(scope_text(s))))
        .collect();
    html(
        status,
        "Sign in",
        &format!(
            "<h1>Sign in to Medley</h1>{problem}\
<p><strong>{app}</strong> asks to:</p><ul>{scopes}</ul>\
<form method=\"post\" action=\"{action}\">{fields}\
<label for=\"login\">Name or user id</label>\
<input type=\"text\" id=\"login\" name=\"login\" value=\"{login}\" autocomplete=\"username\" autocapitalize=\"none\" required>\
<label for=\"password\">Password</label>\
<input type=\"password\" id=\"password\" name=\"password\" autocomplete=\"current-password\" required>\
<div class=\"row\"><button type=\"submit\" name=\"decision\" value=\"deny\" formnovalidate>Deny</button>\
<button type=\"submit\" name=\"decision\" value=\"allow\">Sign in and allow</button></div></form>",
            problem = problem_text(problem),
            app = escape(c.app),
            action = escape(c.action),
            login = escape(login),
        ),
    )
}

fn problem_text(problem: Option<&str>) -> String {
    problem
        .map(|p| format!("<p class=\"error\" role=\"alert\">{}</p>", escape(p)))
        .unwrap_or_default()
}

/// The verification page of code-based linking: the code a device shows, typed in.
pub fn code_entry(status: StatusCode, csrf: &str, typed: &str, problem: Option<&str>) -> Response {
    html(
        status,
        "Link a device",
        &format!(
            "<h1>Link a device to Medley</h1>{problem}\
<p>Enter the code your TV, speaker or app shows.</p>\
<form method=\"post\" action=\"/code\">{csrf}\
<label for=\"user_code\">Code</label>\
<input type=\"text\" id=\"user_code\" name=\"user_code\" value=\"{typed}\" autocomplete=\"one-time-code\" autocapitalize=\"characters\" spellcheck=\"false\" required>\
<div class=\"row\"><button type=\"submit\" value=\"allow\">Continue</button></div></form>",
            problem = problem_text(problem),
            csrf = hidden("csrf", csrf),
            typed = escape(typed),
        ),
    )
}

/// The account page's sign-in.
pub fn account_sign_in(
    status: StatusCode,
    csrf: &str,
    login: &str,
    problem: Option<&str>,
) -> Response {
    html(
        status,
        "Your account",
        &format!(
            "<h1>Your Medley account</h1>{problem}\
<p>Sign in to see the apps and devices linked to your account.</p>\
<form method=\"post\" action=\"/account\">{csrf}\
<label for=\"login\">Name or user id</label>\
<input type=\"text\" id=\"login\" name=\"login\" value=\"{login}\" autocomplete=\"username\" autocapitalize=\"none\" required>\
<label for=\"password\">Password</label>\
<input type=\"password\" id=\"password\" name=\"password\" autocomplete=\"current-password\" required>\
<div class=\"row\"><button type=\"submit\" value=\"allow\">Sign in</button></div></form>",
            problem = problem_text(problem),
            csrf = hidden("csrf", csrf),
            login = escape(login),
        ),
    )
}

/// The apps and devices linked to an account, each with its unlink button; a way to the admin
/// page for an admin.
pub fn links(
    csrf: &str,
    user: &str,
    admin: bool,
    links: &[medley_service::accounts::oauth::Link],
) -> Response {
    let items: String = if links.is_empty() {
        "<p>No app or device is linked to your account.</p>".into()
    } else {
        let rows: String = links
            .iter()
            .enumerate()
            .map(|(i, l)| {
                let can: Vec<&str> = l.scopes.iter().map(|s| scope_text(s)).collect();
                let named = match &l.label {
                    Some(label) => format!("{} ({label})", l.app),
                    None => l.app.clone(),
                };
                format!(
                    "<li><strong>{app}</strong>{label}, linked {when}: may {can}.\
<form method=\"post\" action=\"/account/rename\">{csrf}{grant}\
<label for=\"label-{i}\">Name</label>\
<input type=\"text\" id=\"label-{i}\" name=\"label\" value=\"{value}\" maxlength=\"{max}\" required>\
<div class=\"row\"><button type=\"submit\" aria-label=\"Rename {named}\">Rename</button></div></form>\
<form method=\"post\" action=\"/account/unlink\">{csrf}{grant}\
<div class=\"row\"><button type=\"submit\" aria-label=\"Unlink {named}\">Unlink</button></div></form></li>",
                    app = escape(&l.app),
                    label = l.label.as_deref().map(|t| format!(": {}", escape(t))).unwrap_or_default(),
                    value = escape(l.label.as_deref().unwrap_or("")),
                    max = medley_service::accounts::browser::MAX_LABEL,
                    named = escape(&named),
                    when = escape(&medley_core::time::iso8601_ms(l.created_ms)[..10]),
                    can = escape(&can.join(", ")),
                    csrf = hidden("csrf", csrf),
                    grant = hidden("grant", &l.grant_id),
                )
            })
            .collect();
        format!("<ul>{rows}</ul>")
    };
    html(
        StatusCode::OK,
        "Linked apps and devices",
        &format!(
            "<h1>Linked apps and devices</h1><p>Signed in as {user}.{house}</p>{items}\
<form method=\"post\" action=\"/account/sign-out\">{csrf}\
<div class=\"row\"><button type=\"submit\">Sign out</button></div></form>",
            user = escape(user),
            house = if admin {
                " <a href=\"/account/admin\">Run the house</a>"
            } else {
                ""
            },
            csrf = hidden("csrf", csrf),
        ),
    )
}

const TIERS: [&str; 3] = ["UNLIMITED", "PRIME", "FREE"];

fn tier_choice(id: &str, chosen: &str) -> String {
    let options: String = TIERS
        .iter()
        .map(|t| {
            let selected = if *t == chosen { " selected" } else { "" };
            format!("<option value=\"{t}\"{selected}>{t}</option>")
        })
        .collect();
    format!("<select id=\"{id}\" name=\"tier\">{options}</select>")
}

/// A music folder as the admin page says it stands.
fn folder_item(f: &FolderStatus) -> String {
    let state = match &f.state {
        FolderState::Waiting => "waiting for its first scan".to_string(),
        FolderState::Scanning { done, total } => format!("scanning: {done} of {total} files read"),
        FolderState::Ready => "ready".to_string(),
        FolderState::Unavailable(why) => format!("unavailable, nothing retired: {why}"),
    };
    let last = match f.scanned_ms {
        Some(ms) => format!(
            "; last scan {} UTC, {} audio files",
            &medley_core::time::iso8601_ms(ms)[..16].replace('T', " "),
            f.files
        ),
        None => String::new(),
    };
    let skipped = if f.skipped.is_empty() {
        String::new()
    } else {
        let rows: String = f
            .skipped
            .iter()
            .map(|(path, why)| format!("<li>{}: {}</li>", escape(path), escape(why)))
            .collect();
        format!(
            "<details><summary>{} skipped</summary><ul>{rows}</ul></details>",
            f.skipped.len()
        )
    };
    format!(
        "<li><strong>{}</strong>: {}{}{skipped}</li>",
        escape(&f.path),
        escape(&state),
        escape(&last)
    )
}

/// The admin page: the music folders with a rescan, the users with their tier and a password
/// reset, and a form to add one.
pub fn admin(csrf: &str, me: &str, users: &[User], folders: &[FolderStatus]) -> Response {
    let csrf = hidden("csrf", csrf);
    let folders = if folders.is_empty() {
        "<p>No music folder is set: start Medley with <code>--library DIR</code>.</p>".to_string()
    } else {
        let items: String = folders.iter().map(folder_item).collect();
        format!(
            "<ul>{items}</ul><form method=\"post\" action=\"/account/admin/rescan\">{csrf}\
<div class=\"row\"><button type=\"submit\">Rescan now</button></div></form>"
        )
    };
    let users: String = users
        .iter()
        .enumerate()
        .map(|(i, u)| {
            let user = hidden("user", u.id.as_str());
            format!(
                "<li><strong>{name}</strong>{role}, {tier}, id {id}\
<form method=\"post\" action=\"/account/admin/plan\">{csrf}{user}\
<label for=\"tier-{i}\">Tier</label>{choice}\
<div class=\"row\"><button type=\"submit\" aria-label=\"Set the tier of {name}\">Set tier</button></div></form>\
<form method=\"post\" action=\"/account/admin/password\">{csrf}{user}\
<label for=\"password-{i}\">New password</label>\
<input type=\"password\" id=\"password-{i}\" name=\"password\" autocomplete=\"new-password\" minlength=\"8\" required>\
<div class=\"row\"><button type=\"submit\" aria-label=\"Reset the password of {name}\">Reset password</button></div></form></li>",
                name = escape(&u.name),
                role = if u.admin { " (admin)" } else { "" },
                tier = u.tier.as_str(),
                id = escape(u.id.as_str()),
                choice = tier_choice(&format!("tier-{i}"), u.tier.as_str()),
            )
        })
        .collect();
    html(
        StatusCode::OK,
        "Run the house",
        &format!(
            "<h1>Run the house</h1><p>Signed in as {me}. <a href=\"/account\">Your account</a></p>\
<h2>Music folders</h2>{folders}<h2>Users</h2><ul>{users}</ul>\
<h2>Add a user</h2><form method=\"post\" action=\"/account/admin/users\">{csrf}\
<label for=\"new-name\">Name</label><input type=\"text\" id=\"new-name\" name=\"name\" autocomplete=\"off\" required>\
<label for=\"new-password\">Password</label>\
<input type=\"password\" id=\"new-password\" name=\"password\" autocomplete=\"new-password\" minlength=\"8\" required>\
<label for=\"new-tier\">Tier</label>{choice}\
<label><input type=\"checkbox\" name=\"admin\" value=\"on\"> An admin too</label>\
<div class=\"row\"><button type=\"submit\">Add the user</button></div></form>",
            me = escape(me),
            choice = tier_choice("new-tier", "UNLIMITED"),
        ),
    )
}

/// The end of a flow that does not go back anywhere: what happened.
pub fn done(title: &str, message: &str) -> Response {
    html(
        StatusCode::OK,
        title,
        &format!("<h1>{}</h1><p>{}</p>", escape(title), escape(message)),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_folder_says_how_it_stands_and_what_it_skipped() {
        let mut f = FolderStatus {
            path: "/srv/<music>".into(),
            state: FolderState::Scanning { done: 5, total: 9 },
            scanned_ms: None,
            files: 0,
            skipped: Vec::new(),
        };
        let item = folder_item(&f);
        assert!(
            item.contains("/srv/&lt;music&gt;") && item.contains("scanning: 5 of 9"),
            "{item}"
        );
        f.state = FolderState::Unavailable("cannot read /srv/music".into());
        f.scanned_ms = Some(1_796_688_000_000);
        f.files = 12;
        f.skipped = vec![("/srv/music/bad.mp3".into(), "no audio".into())];
        let item = folder_item(&f);
        for part in [
            "unavailable, nothing retired: cannot read /srv/music",
            "last scan 2026-12-08 00:00 UTC, 12 audio files",
            "<summary>1 skipped</summary>",
            "/srv/music/bad.mp3: no audio",
        ] {
            assert!(item.contains(part), "{part}: {item}");
        }
    }

    #[test]
    fn everything_markup_could_use_is_escaped() {
        assert_eq!(
            escape("<a href=\"x\" onclick='y'>&</a>"),
            "&lt;a href=&quot;x&quot; onclick=&#39;y&#39;&gt;&amp;&lt;/a&gt;"
        );
    }
}
