//! Audio formats, the qualities of the Device API's audio capability header, and which rendition of a track a
//! player gets: the file as it is, or an encoding Medley makes of it (docs/decisions.md, "Audio
//! quality"). Pure rules; running the encoder is the service's business.

use crate::policy::Tier;

/// The qualities of `X-Amzn-Audio-Device-Capability`, lowest first.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Quality {
    /// Opus (or any lossy encoding, or lossless below CD quality).
    StdRes,
    /// Lossless, 16 bits, 44.1 or 48 kHz.
    HiFi,
    /// Lossless, more than 16 bits or more than 48 kHz.
    HiRes,
}

impl Quality {
    pub fn parse(s: &str) -> Option<Quality> {
        Some(match s {
            "STD_RES" => Quality::StdRes,
            "HI_FI" => Quality::HiFi,
            "HI_RES" => Quality::HiRes,
            _ => return None,
        })
    }

    /// The best quality among a device's capabilities (unknown ones ignored; none is STD_RES)
    /// that the tier allows: only on-demand tiers get more than standard.
    pub fn ceiling<'a>(capabilities: impl IntoIterator<Item = &'a str>, tier: Tier) -> Quality {
        if !tier.on_demand() {
            return Quality::StdRes;
        }
        capabilities
            .into_iter()
            .filter_map(Quality::parse)
            .max()
            .unwrap_or(Quality::StdRes)
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Codec {
    Flac,
    Alac,
    Wav,
    Mp3,
    Aac,
    Vorbis,
    Opus,
}

impl Codec {
    const ALL: [Codec; 7] = [
        Codec::Flac,
        Codec::Alac,
        Codec::Wav,
        Codec::Mp3,
        Codec::Aac,
        Codec::Vorbis,
        Codec::Opus,
    ];

    /// The name `playbackInformation.format` gives it.
    pub fn name(self) -> &'static str {
        match self {
            Codec::Flac => "FLAC",
            Codec::Alac => "ALAC",
            Codec::Wav => "WAV",
            Codec::Mp3 => "MP3",
            Codec::Aac => "AAC",
            Codec::Vorbis => "VORBIS",
            Codec::Opus => "OPUS",
        }
    }

    pub fn from_name(s: &str) -> Option<Codec> {
        Codec::ALL.into_iter().find(|c| c.name() == s)
    }

    /// A guess from a file name, for files whose audio could not be read.
    pub fn from_path(path: &str) -> Option<Codec> {
        let ext = path.rsplit_once('.')?.1.to_ascii_lowercase();
        Some(match ext.as_str() {
            "flac" => Codec::Flac,
            "mp3" => Codec::Mp3,
            "ogg" | "oga" => Codec::Vorbis,
            "opus" => Codec::Opus,
            "m4a" | "aac" | "mp4" => Codec::Aac,
            "wav" => Codec::Wav,
            _ => return None,
        })
    }

    pub fn lossless(self) -> bool {
        matches!(self, Codec::Flac | Codec::Alac | Codec::Wav)
    }

    /// The Content-Type of a file in this encoding.
    pub fn mime(self) -> &'static str {
        match self {
            Codec::Flac => "audio/flac",
            Codec::Alac | Codec::Aac => "audio/mp4",
            Codec::Wav => "audio/wav",
            Codec::Mp3 => "audio/mpeg",
            Codec::Vorbis | Codec::Opus => "audio/ogg",
        }
    }
}

/// What a track's audio file holds.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct AudioFormat {
    pub codec: Codec,
    pub sample_rate: u32,
    /// Bits per sample, for the encodings that have them (lossless ones).
    pub bit_depth: Option<u8>,
    pub kbps: u32,
    pub channels: u8,
}

impl AudioFormat {
    pub fn quality(&self) -> Quality {
        let bits = self.bit_depth.unwrap_or(16);
        if !self.codec.lossless() || bits < 16 || self.sample_rate < 44_100 {
            Quality::StdRes
        } else if bits > 16 || self.sample_rate > 48_000 {
            Quality::HiRes
        } else {
            Quality::HiFi
        }
    }

    /// The form the store keeps: `CODEC RATE BITS KBPS CHANNELS` (BITS `-` when none).
    pub fn encode(&self) -> String {
        let bits = self.bit_depth.map_or("-".to_string(), |b| b.to_string());
        format!(
            "{} {} {bits} {} {}",
            self.codec.name(),
            self.sample_rate,
            self.kbps,
            self.channels
        )
    }

    pub fn decode(s: &str) -> Option<AudioFormat> {
        let mut it = s.split(' ');
        let codec = Codec::from_name(it.next()?)?;
        let sample_rate = it.next()?.parse().ok()?;
        let bit_depth = match it.next()? {
            "-" => None,
            b => Some(b.parse().ok()?),
        };
        let kbps = it.next()?.parse().ok()?;
        let channels = it.next()?.parse().ok()?;
        Some(AudioFormat {
            codec,
            sample_rate,
            bit_depth,
            kbps,
            channels,
        })
    }
}

/// Who plays the audio: an app of the Web API, whose quality is its capability header, or an
/// Alexa speaker, which plays MP3 and AAC (Alexa's long-form audio formats).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Player {
    App(Quality),
    Speaker,
}

/// What a media URL serves.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Rendition {
    /// The file as it is.
    Original,
    /// Ogg Opus at `OPUS_KBPS`: standard quality.
    Opus,
    /// FLAC at 16 bits and 44.1 or 48 kHz: high fidelity from a high-resolution file.
    Flac16,
    /// MP3 at `MP3_KBPS` and 44.1 or 48 kHz, for speakers.
    Mp3,
}

/// The bitrate of standard quality (the Device API's "medium" of 48, 192 and 320 kbps).
pub const OPUS_KBPS: u32 = 192;
/// Alexa plays MP3 up to 256 kbps at 44.1 or 48 kHz.
pub const MP3_KBPS: u32 = 256;

impl Rendition {
    pub const TRANSCODED: [Rendition; 3] = [Rendition::Opus, Rendition::Flac16, Rendition::Mp3];

    /// Its name in media URLs.
    pub fn as_str(self) -> &'static str {
        match self {
            Rendition::Original => "original",
            Rendition::Opus => "opus",
            Rendition::Flac16 => "flac16",
            Rendition::Mp3 => "mp3",
        }
    }

    pub fn parse(s: &str) -> Option<Rendition> {
        [Rendition::Original]
            .into_iter()
            .chain(Rendition::TRANSCODED)
            .find(|r| r.as_str() == s)
    }

    /// The encoding it serves; `None` for an original whose encoding is unknown.
    pub fn codec(self, source: Option<Codec>) -> Option<Codec> {
        match self {
            Rendition::Original => source,
            Rendition::Opus => Some(Codec::Opus),
            Rendition::Flac16 => Some(Codec::Flac),
            Rendition::Mp3 => Some(Codec::Mp3),
        }
    }

    /// The output rate of `Flac16` and `Mp3`: 44.1 kHz for the 44.1 kHz family, 48 kHz
    /// otherwise (Alexa plays MP3 at those two only).
    pub fn output_rate(source_rate: u32) -> u32 {
        if source_rate.is_multiple_of(44_100) {
            44_100
        } else {
            48_000
        }
    }
}

/// The rendition a player gets of a track. The file itself whenever it is within what the
/// player may have; otherwise the best encoding below it. `None` (an unreadable or unknown
/// file) is served as it is.
pub fn rendition(source: Option<&AudioFormat>, player: Player) -> Rendition {
    let Some(source) = source else {
        return Rendition::Original;
    };
    match player {
        Player::Speaker if matches!(source.codec, Codec::Mp3 | Codec::Aac) => Rendition::Original,
        Player::Speaker => Rendition::Mp3,
        Player::App(ceiling) if source.quality() <= ceiling => Rendition::Original,
        Player::App(Quality::HiRes | Quality::HiFi) => Rendition::Flac16,
        Player::App(Quality::StdRes) => Rendition::Opus,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fmt(codec: Codec, rate: u32, bits: Option<u8>) -> AudioFormat {
        AudioFormat {
            codec,
            sample_rate: rate,
            bit_depth: bits,
            kbps: 1000,
            channels: 2,
        }
    }

    #[test]
    fn qualities_of_files() {
        assert_eq!(fmt(Codec::Flac, 96_000, Some(24)).quality(), Quality::HiRes);
        assert_eq!(fmt(Codec::Flac, 44_100, Some(24)).quality(), Quality::HiRes);
        assert_eq!(fmt(Codec::Flac, 88_200, Some(16)).quality(), Quality::HiRes);
        assert_eq!(fmt(Codec::Alac, 44_100, Some(16)).quality(), Quality::HiFi);
        assert_eq!(fmt(Codec::Wav, 48_000, Some(16)).quality(), Quality::HiFi);
        assert_eq!(fmt(Codec::Wav, 8_000, Some(8)).quality(), Quality::StdRes);
        assert_eq!(
            fmt(Codec::Flac, 22_050, Some(16)).quality(),
            Quality::StdRes
        );
        assert_eq!(fmt(Codec::Mp3, 48_000, None).quality(), Quality::StdRes);
        assert_eq!(fmt(Codec::Opus, 48_000, None).quality(), Quality::StdRes);
    }

    #[test]
    fn ceilings_follow_capability_and_tier() {
        let all = ["STD_RES", "HI_FI", "HI_RES"];
        assert_eq!(Quality::ceiling(all, Tier::Unlimited), Quality::HiRes);
        assert_eq!(Quality::ceiling(all, Tier::Prime), Quality::StdRes);
        assert_eq!(Quality::ceiling(all, Tier::Free), Quality::StdRes);
        assert_eq!(Quality::ceiling(["HI_FI"], Tier::Unlimited), Quality::HiFi);
        assert_eq!(
            Quality::ceiling(["REAL_AUDIO_360"], Tier::Unlimited),
            Quality::StdRes
        );
    }

    #[test]
    fn renditions() {
        let hires = fmt(Codec::Flac, 96_000, Some(24));
        let cd = fmt(Codec::Flac, 44_100, Some(16));
        let mp3 = fmt(Codec::Mp3, 44_100, None);
        let app = Player::App;
        assert_eq!(
            rendition(Some(&hires), app(Quality::HiRes)),
            Rendition::Original
        );
        assert_eq!(
            rendition(Some(&hires), app(Quality::HiFi)),
            Rendition::Flac16
        );
        assert_eq!(
            rendition(Some(&hires), app(Quality::StdRes)),
            Rendition::Opus
        );
        assert_eq!(
            rendition(Some(&cd), app(Quality::HiRes)),
            Rendition::Original
        );
        assert_eq!(
            rendition(Some(&cd), app(Quality::HiFi)),
            Rendition::Original
        );
        assert_eq!(rendition(Some(&cd), app(Quality::StdRes)), Rendition::Opus);
        assert_eq!(
            rendition(Some(&mp3), app(Quality::StdRes)),
            Rendition::Original
        );
        assert_eq!(rendition(Some(&mp3), Player::Speaker), Rendition::Original);
        assert_eq!(rendition(Some(&cd), Player::Speaker), Rendition::Mp3);
        assert_eq!(rendition(None, app(Quality::StdRes)), Rendition::Original);
        assert_eq!(Rendition::output_rate(176_400), 44_100);
        assert_eq!(Rendition::output_rate(96_000), 48_000);
    }

    #[test]
    fn formats_round_trip_through_their_stored_form() {
        for f in [
            fmt(Codec::Flac, 96_000, Some(24)),
            fmt(Codec::Opus, 48_000, None),
        ] {
            assert_eq!(AudioFormat::decode(&f.encode()), Some(f));
        }
        assert_eq!(AudioFormat::decode("FLAC 1"), None);
        assert_eq!(AudioFormat::decode("XYZ 1 - 2 3"), None);
        for r in Rendition::TRANSCODED {
            assert_eq!(Rendition::parse(r.as_str()), Some(r));
        }
    }
}
