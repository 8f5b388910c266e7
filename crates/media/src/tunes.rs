//! Generated tunes: a track's own melody as long as its catalog duration (a pentatonic melody
//! over a bass note, its key, tempo and notes seeded by the track id), as 8 kHz 8-bit WAV. The
//! demo's songs are these, and so is the placeholder of a track the catalog gives no file.

use std::path::{Path, PathBuf};

use medley_core::rng::{hash_str, SplitMix};

pub const RATE: u32 = 8000;

/// What a tune's file holds.
pub const FORMAT: medley_core::audio::AudioFormat = medley_core::audio::AudioFormat {
    codec: medley_core::audio::Codec::Wav,
    sample_rate: RATE,
    bit_depth: Some(8),
    kbps: 64,
    channels: 1,
};
/// Semitones of the major pentatonic scale.
const SCALE: [i32; 5] = [0, 2, 4, 7, 9];

fn frequency(semitones_from_a4: i32) -> f64 {
    440.0 * 2f64.powf(f64::from(semitones_from_a4) / 12.0)
}

/// The samples of a tune `seconds` long, different for every `seed`.
pub fn tune(seed: &str, seconds: u32) -> Vec<u8> {
    let mut rng = SplitMix(hash_str(seed));
    let key = (rng.next_u64() % 12) as i32 - 9;
    let beat = (RATE as f64 * 60.0 / (90.0 + (rng.next_u64() % 60) as f64)) as usize;
    // A four-bar phrase of quarter notes, repeated with the bass moving every bar.
    let phrase: Vec<i32> = (0..16)
        .map(|_| SCALE[(rng.next_u64() % 5) as usize] + 12 * ((rng.next_u64() % 2) as i32))
        .collect();
    let bass = [0, 5, 7, 3];
    let total = (RATE * seconds) as usize;
    // Per-sample work is table lookups: a sine table, each note's phase step, the decay of a
    // note over its beat.
    const TABLE: usize = 4096;
    let sine: Vec<f64> = (0..TABLE)
        .map(|i| (i as f64 / TABLE as f64 * std::f64::consts::TAU).sin())
        .collect();
    let step = |semitones: i32| frequency(semitones) / f64::from(RATE);
    let melody: Vec<f64> = phrase.iter().map(|n| step(key + n)).collect();
    let basses: Vec<f64> = bass.iter().map(|n| step(key - 24 + n)).collect();
    let decay: Vec<f64> = (0..beat)
        .map(|j| (-4.0 * j as f64 / beat as f64).exp())
        .collect();
    let mut out = Vec::with_capacity(total);
    let (mut melody_phase, mut bass_phase) = (0.0f64, 0.0f64);
    for i in 0..total {
        let note = i / beat;
        melody_phase = (melody_phase + melody[note % melody.len()]).fract();
        bass_phase = (bass_phase + basses[(note / 4) % basses.len()]).fract();
        let v = 0.45 * decay[i % beat] * sine[(melody_phase * TABLE as f64) as usize]
            + 0.25 * sine[(bass_phase * TABLE as f64) as usize];
        out.push((128.0 + v * 127.0).clamp(0.0, 255.0) as u8);
    }
    out
}

/// The tune of `seed` as a WAV file's bytes.
pub fn wav(seed: &str, seconds: u32) -> Vec<u8> {
    medley_core::wav::pcm8(RATE, &tune(seed, seconds))
}

/// Writes `<dir>/<id>.wav` for each `(id, seconds)` not written yet; the paths, in order.
pub fn write_tunes(dir: &Path, tracks: &[(String, u32)]) -> std::io::Result<Vec<PathBuf>> {
    std::fs::create_dir_all(dir)?;
    let mut paths = Vec::with_capacity(tracks.len());
    for (id, seconds) in tracks {
        let path = dir.join(format!("{id}.wav"));
        if !path.exists() {
            std::fs::write(&path, wav(id, *seconds))?;
        }
        paths.push(path);
    }
    Ok(paths)
}

#[cfg(test)]
mod tests {
    use super::tune;

    #[test]
    fn tunes_last_their_length_and_differ_by_track() {
        let a = tune("B084KVZP2G", 2);
        assert_eq!(a.len(), 16_000);
        assert_eq!(a, tune("B084KVZP2G", 2), "the same track, the same tune");
        assert_ne!(a, tune("B084KPC3Q7", 2));
        assert!(
            a.iter().any(|s| *s > 200) && a.iter().any(|s| *s < 56),
            "audible"
        );
    }
}
