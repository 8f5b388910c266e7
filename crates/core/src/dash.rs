//! DASH as the Device API describes it (docs/decisions.md, "DASH"): which representations a
//! track offers a device, how long its segments are, and what `playbackInformation.format`
//! calls the presentation. Pure rules; encoding, packing and encrypting are the service's.

use crate::audio::{AudioFormat, Quality, Rendition};

/// Every segment is this long, except the last of a track.
pub const SEGMENT_SECONDS: u32 = 4;

/// One representation of a DASH presentation: an encoding of the track's audio in fragmented
/// MP4, one fragment per segment.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Representation {
    /// Opus at 48 kbps (the Device API's "low").
    Opus48,
    /// Opus at 192 kbps ("medium").
    Opus192,
    /// Opus at 320 kbps ("high").
    Opus320,
    /// FLAC at 16 bits and 44.1 or 48 kHz: HI_FI.
    Flac16,
    /// FLAC at the file's own sample rate and bit depth: HI_RES.
    Flac,
}

impl Representation {
    pub const ALL: [Representation; 5] = [
        Representation::Opus48,
        Representation::Opus192,
        Representation::Opus320,
        Representation::Flac16,
        Representation::Flac,
    ];

    /// Its id in manifests and segment URLs.
    pub fn id(self) -> &'static str {
        match self {
            Representation::Opus48 => "opus48",
            Representation::Opus192 => "opus192",
            Representation::Opus320 => "opus320",
            Representation::Flac16 => "flac16",
            Representation::Flac => "flac",
        }
    }

    pub fn parse(s: &str) -> Option<Representation> {
        Representation::ALL.into_iter().find(|r| r.id() == s)
    }

    /// Its place in [`Representation::ALL`], which tells its segments' IVs apart.
    pub fn index(self) -> u8 {
        Representation::ALL
            .iter()
            .position(|r| *r == self)
            .unwrap_or(0) as u8
    }

    /// The RFC 6381 codec string browsers take for it in `audio/mp4`.
    pub fn codecs(self) -> &'static str {
        match self {
            Representation::Flac16 | Representation::Flac => "flac",
            _ => "opus",
        }
    }

    pub fn is_flac(self) -> bool {
        self.codecs() == "flac"
    }

    /// The bit rate of an Opus representation.
    pub fn opus_kbps(self) -> Option<u32> {
        match self {
            Representation::Opus48 => Some(48),
            Representation::Opus192 => Some(192),
            Representation::Opus320 => Some(320),
            _ => None,
        }
    }

    /// The sample rate it plays at, from a file at `source_rate` Hz (Opus always runs at 48 kHz).
    pub fn sample_rate(self, source_rate: u32) -> u32 {
        match self {
            Representation::Flac16 => Rendition::output_rate(source_rate),
            Representation::Flac => source_rate,
            _ => 48_000,
        }
    }

    /// How many channels it has, of a file of `source` channels: Opus is always stereo.
    pub fn channels(self, source: u8) -> u8 {
        match self.is_flac() {
            true => source.max(1),
            false => 2,
        }
    }

    /// FLAC frames of a twentieth of a second, so that a segment holds a whole number of them
    /// and every segment starts exactly where the manifest says.
    pub fn flac_frame(self, source_rate: u32) -> Option<u32> {
        self.is_flac().then(|| self.sample_rate(source_rate) / 20)
    }

    /// What its bits cost per second, before it is encoded: the Opus target, or for FLAC the
    /// file's own rate scaled to the representation's sample rate and depth.
    pub fn estimated_bandwidth(self, source: &AudioFormat) -> u64 {
        if let Some(kbps) = self.opus_kbps() {
            return u64::from(kbps) * 1000;
        }
        let file = u64::from(source.kbps.max(1)) * 1000;
        match self {
            Representation::Flac16 => {
                let bits = u64::from(source.bit_depth.unwrap_or(16).max(16));
                let rate = u64::from(self.sample_rate(source.sample_rate));
                file * 16 * rate / (bits * u64::from(source.sample_rate.max(1)))
            }
            _ => file,
        }
    }
}

/// The representations a file offers a device that may have up to `ceiling`, lowest first.
/// None for a lossy file: Medley never re-encodes one, and one lossy file is one quality,
/// which its progressive URL serves as it is.
pub fn representations(source: &AudioFormat, ceiling: Quality) -> Vec<Representation> {
    if !source.codec.lossless() {
        return Vec::new();
    }
    let mut out = vec![
        Representation::Opus48,
        Representation::Opus192,
        Representation::Opus320,
    ];
    let quality = source.quality();
    if ceiling >= Quality::HiFi && quality >= Quality::HiFi {
        out.push(Representation::Flac16);
    }
    if ceiling >= Quality::HiRes
        && quality >= Quality::HiRes
        && source.sample_rate.is_multiple_of(20)
    {
        out.push(Representation::Flac);
    }
    out
}

/// How many segments a track of `seconds` has.
pub fn segments(seconds: u32) -> u32 {
    seconds.max(1).div_ceil(SEGMENT_SECONDS)
}

/// A DASH presentation as a signed media URL names it: the quality it goes up to, and whether
/// its segments are encrypted for Clear Key.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Presentation {
    pub ceiling: Quality,
    pub clear_key: bool,
}

impl Presentation {
    /// Its name in media URLs: `dash-std`, `dash-hifi-cenc`, …
    pub fn as_str(self) -> &'static str {
        match (self.ceiling, self.clear_key) {
            (Quality::StdRes, false) => "dash-std",
            (Quality::HiFi, false) => "dash-hifi",
            (Quality::HiRes, false) => "dash-hires",
            (Quality::StdRes, true) => "dash-std-cenc",
            (Quality::HiFi, true) => "dash-hifi-cenc",
            (Quality::HiRes, true) => "dash-hires-cenc",
        }
    }

    pub fn parse(s: &str) -> Option<Presentation> {
        let (quality, clear_key) = match s.strip_suffix("-cenc") {
            Some(q) => (q, true),
            None => (s, false),
        };
        let ceiling = match quality {
            "dash-std" => Quality::StdRes,
            "dash-hifi" => Quality::HiFi,
            "dash-hires" => Quality::HiRes,
            _ => return None,
        };
        Some(Presentation { ceiling, clear_key })
    }

    /// `playbackInformation.format`: the encodings offered, and `ENCRYPTED_` only when the
    /// segments really are.
    pub fn format(self, representations: &[Representation]) -> &'static str {
        let flac = representations.iter().any(|r| r.is_flac());
        match (self.clear_key, flac) {
            (false, false) => "OPUS",
            (false, true) => "OPUS_FLAC",
            (true, false) => "ENCRYPTED_OPUS",
            (true, true) => "ENCRYPTED_OPUS_FLAC",
        }
    }
}

/// What a signed media URL serves: one file, or a DASH presentation.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Served {
    File(Rendition),
    Dash(Presentation),
}

impl Served {
    /// Its name in media URLs (their `as`).
    pub fn as_str(self) -> &'static str {
        match self {
            Served::File(r) => r.as_str(),
            Served::Dash(p) => p.as_str(),
        }
    }

    pub fn parse(s: &str) -> Option<Served> {
        Rendition::parse(s)
            .map(Served::File)
            .or_else(|| Presentation::parse(s).map(Served::Dash))
    }

    /// `playbackInformation.protocol`.
    pub fn protocol(self) -> &'static str {
        match self {
            Served::File(_) => "PROGRESSIVE",
            Served::Dash(_) => "DASH",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::audio::Codec;

    fn fmt(codec: Codec, rate: u32, bits: Option<u8>, kbps: u32) -> AudioFormat {
        AudioFormat {
            codec,
            sample_rate: rate,
            bit_depth: bits,
            kbps,
            channels: 2,
        }
    }

    #[test]
    fn what_a_file_offers_by_ceiling() {
        use Representation::*;
        let hires = fmt(Codec::Flac, 96_000, Some(24), 3000);
        let cd = fmt(Codec::Wav, 44_100, Some(16), 1411);
        let low = fmt(Codec::Wav, 8_000, Some(8), 64);
        let opus = vec![Opus48, Opus192, Opus320];
        assert_eq!(representations(&hires, Quality::StdRes), opus);
        assert_eq!(
            representations(&hires, Quality::HiFi),
            [&opus[..], &[Flac16]].concat()
        );
        assert_eq!(
            representations(&hires, Quality::HiRes),
            [&opus[..], &[Flac16, Flac]].concat()
        );
        assert_eq!(
            representations(&cd, Quality::HiRes),
            [&opus[..], &[Flac16]].concat()
        );
        assert_eq!(representations(&low, Quality::HiRes), opus);
        let odd = fmt(Codec::Flac, 44_056, Some(24), 2000);
        assert!(!representations(&odd, Quality::HiRes).contains(&Flac));
        for lossy in [Codec::Mp3, Codec::Aac, Codec::Opus, Codec::Vorbis] {
            assert!(representations(&fmt(lossy, 44_100, None, 320), Quality::HiRes).is_empty());
        }
    }

    #[test]
    fn rates_frames_and_bandwidths() {
        use Representation::*;
        let hires = fmt(Codec::Flac, 96_000, Some(24), 3000);
        assert_eq!(Flac.sample_rate(96_000), 96_000);
        assert_eq!(Flac16.sample_rate(96_000), 48_000);
        assert_eq!(Flac16.sample_rate(88_200), 44_100);
        assert_eq!(Opus48.sample_rate(96_000), 48_000);
        assert_eq!(Flac.flac_frame(96_000), Some(4800));
        assert_eq!(Flac16.flac_frame(44_100), Some(2205));
        assert_eq!(Opus320.flac_frame(44_100), None);
        assert_eq!(
            (Opus48.channels(1), Flac.channels(1), Flac16.channels(6)),
            (2, 1, 6)
        );
        assert_eq!(Opus320.estimated_bandwidth(&hires), 320_000);
        assert_eq!(Flac.estimated_bandwidth(&hires), 3_000_000);
        assert_eq!(Flac16.estimated_bandwidth(&hires), 1_000_000);
        assert_eq!(segments(30), 8);
        assert_eq!(segments(32), 8);
        assert_eq!(segments(0), 1);
    }

    #[test]
    fn names_round_trip_and_formats_are_honest() {
        for r in Representation::ALL {
            assert_eq!(Representation::parse(r.id()), Some(r));
        }
        for ceiling in [Quality::StdRes, Quality::HiFi, Quality::HiRes] {
            for clear_key in [false, true] {
                let p = Presentation { ceiling, clear_key };
                assert_eq!(Presentation::parse(p.as_str()), Some(p));
                assert!(Rendition::parse(p.as_str()).is_none());
                assert_eq!(Served::parse(p.as_str()), Some(Served::Dash(p)));
            }
        }
        assert_eq!(Presentation::parse("dash-x"), None);
        assert_eq!(Served::parse("opus"), Some(Served::File(Rendition::Opus)));
        assert_eq!(Served::parse("x"), None);
        let clear = Presentation {
            ceiling: Quality::HiRes,
            clear_key: false,
        };
        let opus = [Representation::Opus48];
        let both = [Representation::Opus48, Representation::Flac];
        assert_eq!(clear.format(&opus), "OPUS");
        assert_eq!(clear.format(&both), "OPUS_FLAC");
        let locked = Presentation {
            clear_key: true,
            ..clear
        };
        assert_eq!(locked.format(&both), "ENCRYPTED_OPUS_FLAC");
        assert_eq!(locked.format(&opus), "ENCRYPTED_OPUS");
    }
}
