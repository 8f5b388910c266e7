//! What a listener's words ask for, before any name is looked up: "shuffle my music", "play my
//! favorites", "the strokes radio", "classic rock hits playlist". Alexa passes such words on as
//! a spoken value when it matched them to no id; this reads the request out of them and leaves
//! the name, if any, to be found (docs/alexa.md, "What people say").

use medley_core::text::search_words;

/// The listener's own music, asked for without a name.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Own {
    /// "my music", "music", "my library".
    Music,
    /// "my favorites", "my liked songs": the tracks they liked.
    Liked,
}

/// What the words ask to hear, and how.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Phrase {
    /// Every word but the leading verbs, lower case: a thing called exactly this ("Talk Radio",
    /// "My Chemical Romance") comes first.
    pub full: String,
    /// The same without the words that say how to play it ("radio", "playlist", a leading
    /// "my", and "the" before a playlist's name): the name to look for otherwise.
    pub name: String,
    /// The words ask for the listener's own music rather than a name.
    pub own: Option<Own>,
    /// Said "shuffle …".
    pub shuffle: bool,
    /// Said "… radio" or "… station".
    pub station: bool,
    /// Said "… playlist".
    pub playlist: bool,
}

/// Leading words that say to play, and nothing of what.
const VERBS: [&[&str]; 6] = [
    &["play"],
    &["listen", "to"],
    &["put", "on"],
    &["start"],
    &["some"],
    &["alexa"],
];

const MY_MUSIC: [&[&str]; 10] = [
    &[],
    &["music"],
    &["my", "music"],
    &["my", "own", "music"],
    &["my", "library"],
    &["my", "music", "library"],
    &["my", "songs"],
    &["my", "collection"],
    &["my", "stuff"],
    &["songs"],
];

const LIKED: [&[&str]; 12] = [
    &["my", "favorites"],
    &["my", "favourites"],
    &["favorites"],
    &["favourites"],
    &["my", "favorite", "songs"],
    &["my", "favourite", "songs"],
    &["my", "liked", "songs"],
    &["liked", "songs"],
    &["my", "likes"],
    &["my", "liked", "music"],
    &["songs", "i", "like"],
    &["my", "loved", "songs"],
];

fn strip_front<'a>(words: &'a [String], lead: &[&str]) -> Option<&'a [String]> {
    let n = lead.len();
    (n > 0 && words.len() >= n && words[..n].iter().zip(lead).all(|(w, l)| w == l))
        .then(|| &words[n..])
}

fn is(words: &[String], phrase: &[&str]) -> bool {
    words.len() == phrase.len() && words.iter().zip(phrase).all(|(w, p)| w == p)
}

/// Reads a spoken value ("Shuffle my music", "the strokes radio").
pub fn parse(said: &str) -> Phrase {
    let all = search_words(said);
    let mut words: &[String] = &all;
    let mut shuffle = false;
    'verbs: loop {
        if let Some(rest) = strip_front(words, &["shuffle"]) {
            shuffle = true;
            words = rest;
            continue;
        }
        for verb in VERBS {
            if let Some(rest) = strip_front(words, verb) {
                words = rest;
                continue 'verbs;
            }
        }
        break;
    }
    // "… on Medley": the skill's name said after what to play.
    if words.len() > 2 && is(&words[words.len() - 2..], &["on", "medley"]) {
        words = &words[..words.len() - 2];
    }
    let full = words.join(" ");
    let own = if MY_MUSIC.iter().any(|p| is(words, p)) {
        Some(Own::Music)
    } else if LIKED.iter().any(|p| is(words, p)) {
        Some(Own::Liked)
    } else {
        None
    };
    let (mut station, mut playlist) = (false, false);
    let mut name = words;
    if let [head @ .., last] = name {
        if !head.is_empty() && matches!(last.as_str(), "radio" | "station") {
            station = true;
            name = head;
        } else if !head.is_empty() && last == "playlist" {
            playlist = true;
            name = head;
        }
    }
    if let [first, rest @ ..] = name {
        if !rest.is_empty() && first == "playlist" {
            playlist = true;
            name = rest;
        }
    }
    if let [first, rest @ ..] = name {
        if !rest.is_empty() && (first == "my" || (playlist && first == "the")) {
            name = rest;
        }
    }
    Phrase {
        full,
        name: name.join(" "),
        own,
        shuffle,
        station,
        playlist,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names(p: &Phrase) -> (&str, &str) {
        (&p.full, &p.name)
    }

    #[test]
    fn my_music_and_my_favorites_with_or_without_a_verb() {
        for said in [
            "play my music",
            "My Music",
            "music",
            "play music",
            "my library",
        ] {
            let p = parse(said);
            assert_eq!(p.own, Some(Own::Music), "{said}");
            assert!(!p.shuffle);
        }
        let p = parse("Shuffle my music");
        assert_eq!((p.own, p.shuffle), (Some(Own::Music), true));
        assert_eq!(parse("shuffle").own, Some(Own::Music));
        for said in [
            "play my favorites",
            "my liked songs",
            "Liked songs",
            "my favourites",
        ] {
            assert_eq!(parse(said).own, Some(Own::Liked), "{said}");
        }
        let p = parse("shuffle my favorites");
        assert_eq!((p.own, p.shuffle), (Some(Own::Liked), true));
        assert_eq!(parse("my road trip").own, None);
    }

    #[test]
    fn radio_and_playlist_say_how_to_play_a_name() {
        let p = parse("The Strokes radio");
        assert_eq!(names(&p), ("the strokes radio", "the strokes"));
        assert!(p.station && !p.playlist);
        let p = parse("play hans zimmer station");
        assert_eq!(names(&p), ("hans zimmer station", "hans zimmer"));
        assert!(p.station);
        let p = parse("classic rock hits playlist");
        assert_eq!(
            names(&p),
            ("classic rock hits playlist", "classic rock hits")
        );
        assert!(p.playlist && !p.station);
        let p = parse("play my road trip playlist");
        assert_eq!(names(&p), ("my road trip playlist", "road trip"));
        assert!(p.playlist);
        let p = parse("the playlist chill vibes");
        assert_eq!(p.name, "the playlist chill vibes");
        let p = parse("playlist the chill vibes");
        assert_eq!(p.name, "chill vibes");
        assert!(p.playlist);
    }

    #[test]
    fn a_name_alone_stays_whole_where_it_can() {
        for (said, full, name) in [
            ("Radio", "radio", "radio"),
            ("Playlist", "playlist", "playlist"),
            (
                "my chemical romance",
                "my chemical romance",
                "chemical romance",
            ),
            ("The Strokes", "the strokes", "the strokes"),
            ("Play Selfless on Medley", "selfless", "selfless"),
        ] {
            let p = parse(said);
            assert_eq!(names(&p), (full, name), "{said}");
            assert!(!p.station && !p.playlist && !p.shuffle, "{said}");
            assert_eq!(p.own, None);
        }
    }
}
