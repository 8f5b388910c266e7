//! Where each resource lives: the links answers carry, the signed media URLs and the image
//! URLs, from the public URL. Only this module knows the shape of Medley's URLs.

use medley_core::dash::Served;
use medley_service::media::MediaGrant;
use medley_service::Medley;

/// The URLs under the public URL, with images in the style the request asks for
/// (`amzn-image-style`); handlers take them as an extractor.
#[derive(Clone)]
pub struct Urls {
    base: std::sync::Arc<str>,
    style: Option<&'static str>,
}

impl Urls {
    pub fn of(m: &Medley) -> Self {
        Urls {
            base: m.settings.public_url.as_str().into(),
            style: None,
        }
    }

    /// The same URLs, with images in `style` (`None`: as they are).
    pub fn styled(&self, style: Option<&'static str>) -> Self {
        Urls {
            base: self.base.clone(),
            style,
        }
    }

    /// `/v1/{collection}/{id}`: `collection` is `tracks`, `albums`, `users`, …
    pub fn item(&self, collection: &str, id: &str) -> String {
        format!("{}/v1/{collection}/{id}", self.base)
    }

    /// An image as clients fetch it: one Medley serves (a path from `/`) gets the public
    /// base, others are kept as the catalog gave them.
    pub fn image(&self, url: &str) -> String {
        let url = if url.starts_with('/') {
            format!("{}{url}", self.base)
        } else {
            url.to_string()
        };
        match self.style {
            Some(style) => styled_url(&url, &self.base, style),
            None => url,
        }
    }

    /// Medley's own picture, for what the library has no art for.
    pub fn own_art(&self) -> String {
        format!(
            "{}/media/images/{}",
            self.base,
            medley_media::artwork::OWN_ART
        )
    }

    /// Where a user enters the code their device shows (code-based linking).
    pub fn verification(&self) -> String {
        format!("{}/code", self.base)
    }

    /// The URL of a media grant: `/media/tracks/{id}?…` for a file, `/media/dash/{id}/
    /// manifest.mpd?…` for a DASH presentation.
    pub fn media(&self, g: &MediaGrant) -> String {
        let query = signed_query(g);
        match g.served {
            Served::File(_) => format!("{}/media/tracks/{}?{query}", self.base, g.track_id),
            Served::Dash(_) => format!(
                "{}/media/dash/{}/manifest.mpd?{query}",
                self.base, g.track_id
            ),
        }
    }

    /// Where a playback session's Clear Key licences are asked for.
    pub fn licence(&self, session: uuid::Uuid) -> String {
        format!("{}/v1/playback/sessions/{session}/license", self.base)
    }
}

/// What a media URL carries besides the track: `as=…&expires=…&sig=…` (unescaped: all three
/// are URL-safe).
pub fn signed_query(g: &MediaGrant) -> String {
    format!(
        "as={}&expires={}&sig={}",
        g.served.as_str(),
        g.expires_s,
        g.sig
    )
}

/// An image URL in the style asked for: Medley's own images take `?style=`, Amazon's
/// (`…/images/I/<name>.<ext>`) their `._SL500_` modifier; other URLs are left as they are.
pub fn styled_url(url: &str, public_url: &str, style: &str) -> String {
    let own = format!("{public_url}/media/images/");
    if url.starts_with(&own) {
        let base = url.split_once('?').map_or(url, |(b, _)| b);
        return format!("{base}?style={style}");
    }
    let Some((host_path, file)) = url.rsplit_once('/') else {
        return url.to_string();
    };
    let amazon = host_path.ends_with("/images/I")
        && (host_path.contains("media-amazon.com") || host_path.contains("ssl-images-amazon.com"));
    match file.split_once('.') {
        Some((name, rest)) if amazon && !name.is_empty() => {
            let ext = rest.rsplit('.').next().unwrap_or(rest);
            format!("{host_path}/{name}._{style}_.{ext}")
        }
        _ => url.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::styled_url;

    #[test]
    fn image_urls_take_the_style_asked_for() {
        let public = "http://127.0.0.1:8080";
        assert_eq!(
            styled_url("http://127.0.0.1:8080/media/images/AL1", public, "SL75"),
            "http://127.0.0.1:8080/media/images/AL1?style=SL75"
        );
        assert_eq!(
            styled_url(
                "http://127.0.0.1:8080/media/images/AL1?style=SL500",
                public,
                "SL30"
            ),
            "http://127.0.0.1:8080/media/images/AL1?style=SL30"
        );
        assert_eq!(
            styled_url(
                "https://m.media-amazon.com/images/I/91hcERG6MkL.jpg",
                public,
                "SL160"
            ),
            "https://m.media-amazon.com/images/I/91hcERG6MkL._SL160_.jpg"
        );
        assert_eq!(
            styled_url(
                "https://m.media-amazon.com/images/I/91hcERG6MkL._SL500_.jpg",
                public,
                "SL30"
            ),
            "https://m.media-amazon.com/images/I/91hcERG6MkL._SL30_.jpg"
        );
        let other = "https://example.org/cover.png";
        assert_eq!(styled_url(other, public, "SL30"), other);
    }
}
