//! A minimal PCM WAV writer (mono): enough for generated audio (the demo's songs, test files)
//! without an encoder.

/// A WAV file of 16-bit signed samples.
pub fn pcm16(rate: u32, samples: &[i16]) -> Vec<u8> {
    let data: Vec<u8> = samples.iter().flat_map(|s| s.to_le_bytes()).collect();
    file(rate, 16, &data)
}

/// A WAV file of 8-bit unsigned samples (128 is silence): half the size of 16-bit.
pub fn pcm8(rate: u32, samples: &[u8]) -> Vec<u8> {
    file(rate, 8, samples)
}

fn file(rate: u32, bits: u16, data: &[u8]) -> Vec<u8> {
    let block = bits / 8;
    let mut f = Vec::with_capacity(44 + data.len());
    f.extend_from_slice(b"RIFF");
    f.extend_from_slice(&(36 + data.len() as u32).to_le_bytes());
    f.extend_from_slice(b"WAVEfmt ");
    f.extend_from_slice(&16u32.to_le_bytes());
    f.extend_from_slice(&1u16.to_le_bytes()); // PCM
    f.extend_from_slice(&1u16.to_le_bytes()); // mono
    f.extend_from_slice(&rate.to_le_bytes());
    f.extend_from_slice(&(rate * u32::from(block)).to_le_bytes());
    f.extend_from_slice(&block.to_le_bytes());
    f.extend_from_slice(&bits.to_le_bytes());
    f.extend_from_slice(b"data");
    f.extend_from_slice(&(data.len() as u32).to_le_bytes());
    f.extend_from_slice(data);
    f
}

#[cfg(test)]
mod tests {
    #[test]
    fn headers_describe_the_samples() {
        let f = super::pcm16(8000, &[0, 1, -1]);
        assert_eq!(&f[..4], b"RIFF");
        assert_eq!(u32::from_le_bytes(f[24..28].try_into().unwrap()), 8000);
        assert_eq!(
            u32::from_le_bytes(f[28..32].try_into().unwrap()),
            16000,
            "bytes per second"
        );
        assert_eq!(u32::from_le_bytes(f[40..44].try_into().unwrap()), 6);
        assert_eq!(super::pcm8(8000, &[128; 5]).len(), 44 + 5);
    }
}
