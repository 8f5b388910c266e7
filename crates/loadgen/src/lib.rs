//! The benchmark catalog: artists, albums and tracks named from a word list, so searching it
//! behaves like searching a real library (shared words, prefixes, several words per title).
//! Deterministic: the same size gives the same catalog. `audio` writes real, tagged files.

pub mod audio;

use serde_json::{json, Value};

const WORDS: [&str; 96] = [
    "amber",
    "angel",
    "autumn",
    "avenue",
    "blue",
    "broken",
    "burning",
    "canyon",
    "carnival",
    "cherry",
    "city",
    "cold",
    "crimson",
    "crystal",
    "dancing",
    "dark",
    "dawn",
    "desert",
    "diamond",
    "dream",
    "echo",
    "electric",
    "ember",
    "empire",
    "falling",
    "fever",
    "fire",
    "flower",
    "forest",
    "ghost",
    "glass",
    "golden",
    "gravity",
    "harbor",
    "heart",
    "highway",
    "hollow",
    "honey",
    "horizon",
    "island",
    "jade",
    "jungle",
    "kingdom",
    "lantern",
    "light",
    "lonely",
    "lost",
    "lunar",
    "machine",
    "magnolia",
    "marble",
    "meadow",
    "midnight",
    "mirror",
    "monsoon",
    "moon",
    "morning",
    "neon",
    "night",
    "north",
    "ocean",
    "orchid",
    "paper",
    "paradise",
    "phantom",
    "pilot",
    "prairie",
    "quiet",
    "rain",
    "raven",
    "rebel",
    "river",
    "rose",
    "royal",
    "runaway",
    "saint",
    "satellite",
    "secret",
    "shadow",
    "silver",
    "sky",
    "solar",
    "spirit",
    "storm",
    "summer",
    "sunset",
    "thunder",
    "tide",
    "tiger",
    "velvet",
    "violet",
    "wild",
    "winter",
    "wolf",
    "young",
    "zephyr",
];

const GENRES: [&str; 8] = [
    "Rock",
    "Pop",
    "Jazz",
    "Electronic",
    "Hip-Hop",
    "Classical",
    "Folk",
    "Soul",
];

/// A small deterministic generator (SplitMix64).
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// `n` words, capitalised, joined by spaces.
    fn title(&mut self, n: usize) -> String {
        (0..n)
            .map(|_| {
                let w = WORDS[(self.next() % WORDS.len() as u64) as usize];
                let mut c = w.chars();
                let first = c.next().map(|f| f.to_ascii_uppercase()).unwrap_or(' ');
                format!("{first}{}", c.as_str())
            })
            .collect::<Vec<_>>()
            .join(" ")
    }
}

/// A catalog of `tracks` tracks: ten per album, an artist per hundred tracks (at least ten),
/// eight genres, release years 1960–2019, ISRCs, and one playlist holding every track.
pub fn catalog(tracks: usize) -> Value {
    let mut rng = Rng(0x5EED);
    let artists = (tracks / 100).max(10);
    let albums = tracks.div_ceil(10);
    let artist_names: Vec<String> = (0..artists)
        .map(|i| match i % 3 {
            0 => format!("The {}", rng.title(2)),
            _ => rng.title(2),
        })
        .collect();
    let a: Vec<Value> = artist_names
        .iter()
        .enumerate()
        .map(|(i, name)| json!({"id": format!("BAR{i:07}"), "name": name}))
        .collect();
    let mut al = Vec::new();
    let mut t = Vec::new();
    for i in 0..albums {
        let artist = format!("BAR{:07}", i % artists);
        let ids: Vec<String> = (0..tracks.saturating_sub(i * 10).min(10))
            .map(|k| format!("BTR{:08}", i * 10 + k))
            .collect();
        for (k, id) in ids.iter().enumerate() {
            let words = 1 + (rng.next() % 3) as usize;
            t.push(json!({"id": id, "title": rng.title(words), "duration": 180 + (i * 7 + k * 13) % 180,
                "albumId": format!("BAL{i:07}"), "artistIds": [artist], "genre": GENRES[i % GENRES.len()],
                "isrc": format!("QZBEN{:07}", i * 10 + k)}));
        }
        al.push(
            json!({"id": format!("BAL{i:07}"), "title": rng.title(2), "artistIds": [artist],
            "trackIds": ids, "releaseDate": format!("{}-01-01", 1960 + i % 60)}),
        );
    }
    let all: Vec<Value> = t.iter().map(|x| x["id"].clone()).collect();
    json!({"artists": a, "albums": al, "tracks": t,
        "playlists": [{"id": "BENCHPL100K", "title": format!("All {tracks} tracks"), "trackIds": all}]})
}
