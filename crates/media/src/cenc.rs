//! Common Encryption (`cenc`: AES-128 in CTR mode, whole samples, ISO/IEC 23001-7) of a clear
//! fragmented MP4, for the W3C Clear Key system every browser's EME has. Medley does it itself
//! rather than have ffmpeg do it: Debian's ffmpeg writes the per-sample IVs of a fragmented
//! file into the empty `moov` instead of each fragment, which no player can decrypt
//! (docs/decisions.md, "DASH"). The clear file stays in the cache; segments are encrypted as
//! they are served, with IVs derived from the representation, segment and sample, so the same
//! segment is always the same bytes and no IV repeats under a track's key.

use aes::cipher::{KeyIvInit, StreamCipher};

type Ctr = ctr::Ctr64BE<aes::Aes128>;

/// The W3C Clear Key system id, in the `pssh` box browsers read key ids from.
const CLEAR_KEY_SYSTEM: [u8; 16] = [
    0x10, 0x77, 0xef, 0xec, 0xc0, 0xb2, 0x4d, 0x02, 0xac, 0xe3, 0x3c, 0x1e, 0x52, 0xe2, 0xfb, 0x4b,
];

/// Bytes of each sample's IV.
const IV_BYTES: usize = 8;

/// A box of `kind` around `payload`.
fn mp4box(kind: &[u8; 4], payload: &[u8]) -> Vec<u8> {
    let mut b = Vec::with_capacity(8 + payload.len());
    b.extend_from_slice(&((8 + payload.len()) as u32).to_be_bytes());
    b.extend_from_slice(kind);
    b.extend_from_slice(payload);
    b
}

/// A full box (version and flags first).
fn full_box(kind: &[u8; 4], version: u8, flags: u32, payload: &[u8]) -> Vec<u8> {
    let mut p = (flags & 0x00ff_ffff | u32::from(version) << 24)
        .to_be_bytes()
        .to_vec();
    p.extend_from_slice(payload);
    mp4box(kind, &p)
}

fn u32_at(b: &[u8], at: usize) -> Result<u32, String> {
    b.get(at..at + 4)
        .map(|s| u32::from_be_bytes(s.try_into().expect("four bytes")))
        .ok_or_else(|| format!("the MP4 data ends at byte {at}"))
}

fn add_to_u32(b: &mut [u8], at: usize, delta: usize) -> Result<(), String> {
    let v = u32_at(b, at)? as usize + delta;
    let v = u32::try_from(v).map_err(|_| "an MP4 box grew past 4 GiB".to_string())?;
    b[at..at + 4].copy_from_slice(&v.to_be_bytes());
    Ok(())
}

/// The child box of `kind` among the boxes in `b[from..to]`: its start and size. Only 32-bit
/// sizes: the boxes Medley edits are small.
fn child(b: &[u8], from: usize, to: usize, kind: &[u8; 4]) -> Result<(usize, usize), String> {
    let mut at = from;
    while at + 8 <= to {
        let size = u32_at(b, at)? as usize;
        if size < 8 || at + size > to {
            break;
        }
        if &b[at + 4..at + 8] == kind {
            return Ok((at, size));
        }
        at += size;
    }
    Err(format!("no '{}' box", String::from_utf8_lossy(kind)))
}

/// The initialization segment with its sample entry marked encrypted (`enca`, with the
/// original format, the `cenc` scheme and the key id), and a Clear Key `pssh` naming the key
/// id. Never the key.
pub fn protect_init(init: &[u8], kid: &[u8; 16]) -> Result<Vec<u8>, String> {
    let (moov, moov_size) = child(init, 0, init.len(), b"moov")?;
    // The boxes from moov down to the sample entry, each of which grows by the `sinf`.
    let mut chain = vec![moov];
    let (mut from, mut to) = (moov + 8, moov + moov_size);
    for kind in [b"trak", b"mdia", b"minf", b"stbl", b"stsd"] {
        let (at, size) = child(init, from, to, kind)?;
        chain.push(at);
        (from, to) = (at + 8, at + size);
    }
    // stsd: version, flags and entry count, then the sample entries; the first is the track's.
    let entry = from + 8;
    let entry_size = u32_at(init, entry)? as usize;
    if entry + entry_size > to || entry_size < 36 {
        return Err("the sample description is not an audio sample entry".into());
    }
    chain.push(entry);
    let format: [u8; 4] = init[entry + 4..entry + 8].try_into().expect("four bytes");
    let mut tenc = vec![0, 0, 1, IV_BYTES as u8];
    tenc.extend_from_slice(kid);
    let mut scheme = b"cenc".to_vec();
    scheme.extend_from_slice(&0x0001_0000u32.to_be_bytes());
    let sinf = mp4box(
        b"sinf",
        &[
            mp4box(b"frma", &format),
            full_box(b"schm", 0, 0, &scheme),
            mp4box(b"schi", &full_box(b"tenc", 0, 0, &tenc)),
        ]
        .concat(),
    );
    let mut pssh = 1u32.to_be_bytes().to_vec();
    pssh.extend_from_slice(kid);
    pssh.extend_from_slice(&0u32.to_be_bytes());
    let pssh = full_box(b"pssh", 1, 0, &[&CLEAR_KEY_SYSTEM[..], &pssh].concat());

    let mut out = Vec::with_capacity(init.len() + sinf.len() + pssh.len());
    let entry_end = entry + entry_size;
    out.extend_from_slice(&init[..entry_end]);
    out.extend_from_slice(&sinf);
    out.extend_from_slice(&init[entry_end..moov + moov_size]);
    out.extend_from_slice(&pssh);
    out.extend_from_slice(&init[moov + moov_size..]);
    out[entry + 4..entry + 8].copy_from_slice(b"enca");
    for at in chain {
        let grows = if at == moov {
            sinf.len() + pssh.len()
        } else {
            sinf.len()
        };
        add_to_u32(&mut out, at, grows)?;
    }
    Ok(out)
}

/// What a fragment's `traf` says about its samples.
struct Run {
    /// Where the `trun`'s data offset is, when it has one.
    data_offset_at: Option<usize>,
    /// Where the first sample's bytes are, from the start of the `moof`.
    data_offset: usize,
    sizes: Vec<usize>,
}

fn read_run(b: &[u8], traf: usize, traf_end: usize) -> Result<Run, String> {
    let (tfhd, _) = child(b, traf + 8, traf_end, b"tfhd")?;
    let tf_flags = u32_at(b, tfhd + 8)? & 0x00ff_ffff;
    if tf_flags & 0x01 != 0 {
        return Err("the fragment names an absolute base data offset".into());
    }
    let mut at = tfhd + 16; // header, version and flags, track id
    let mut default_size = None;
    for (flag, is_size) in [(0x02, false), (0x08, false), (0x10, true), (0x20, false)] {
        if tf_flags & flag != 0 {
            if is_size {
                default_size = Some(u32_at(b, at)? as usize);
            }
            at += 4;
        }
    }
    let (trun, _) = child(b, traf + 8, traf_end, b"trun")?;
    let flags = u32_at(b, trun + 8)? & 0x00ff_ffff;
    let count = u32_at(b, trun + 12)? as usize;
    let mut at = trun + 16;
    let mut data_offset_at = None;
    if flags & 0x01 != 0 {
        data_offset_at = Some(at);
        at += 4;
    }
    if flags & 0x04 != 0 {
        at += 4;
    }
    let data_offset = match data_offset_at {
        Some(d) => u32_at(b, d)? as usize,
        None => return Err("the fragment's run has no data offset".into()),
    };
    let fields = [0x100, 0x200, 0x400, 0x800];
    let per_sample = fields.iter().filter(|f| flags & **f != 0).count() * 4;
    let size_field = (flags & 0x100 != 0) as usize * 4;
    let mut sizes = Vec::with_capacity(count);
    for i in 0..count {
        let sample = at + i * per_sample;
        sizes.push(match (flags & 0x200 != 0, default_size) {
            (true, _) => u32_at(b, sample + size_field)? as usize,
            (false, Some(d)) => d,
            (false, None) => return Err("the fragment gives no sample sizes".into()),
        });
    }
    Ok(Run {
        data_offset_at,
        data_offset,
        sizes,
    })
}

/// A fragment (`moof` and `mdat`) with every sample encrypted under `key`, and its IVs
/// (`iv_base` plus the sample's index) in `senc`, `saiz` and `saio` boxes in its `traf`.
pub fn protect_fragment(seg: &[u8], key: &[u8; 16], iv_base: u64) -> Result<Vec<u8>, String> {
    let (moof, moof_size) = child(seg, 0, seg.len(), b"moof")?;
    let (traf, traf_size) = child(seg, moof + 8, moof + moof_size, b"traf")?;
    let traf_end = traf + traf_size;
    let run = read_run(seg, traf, traf_end)?;
    let count = run.sizes.len() as u32;

    let mut saiz = vec![IV_BYTES as u8];
    saiz.extend_from_slice(&count.to_be_bytes());
    let saiz = full_box(b"saiz", 0, 0, &saiz);
    let saio_len = 8 + 4 + 4 + 4;
    // The IVs start after senc's header, version and flags, and sample count.
    let first_iv = traf_end - moof + saiz.len() + saio_len + 16;
    let mut saio = 1u32.to_be_bytes().to_vec();
    saio.extend_from_slice(&(first_iv as u32).to_be_bytes());
    let saio = full_box(b"saio", 0, 0, &saio);
    let mut senc = count.to_be_bytes().to_vec();
    let ivs: Vec<[u8; IV_BYTES]> = (0..u64::from(count))
        .map(|i| (iv_base + i).to_be_bytes())
        .collect();
    for iv in &ivs {
        senc.extend_from_slice(iv);
    }
    let senc = full_box(b"senc", 0, 0, &senc);
    let grows = saiz.len() + saio.len() + senc.len();

    let mut out = Vec::with_capacity(seg.len() + grows);
    out.extend_from_slice(&seg[..traf_end]);
    out.extend_from_slice(&saiz);
    out.extend_from_slice(&saio);
    out.extend_from_slice(&senc);
    out.extend_from_slice(&seg[traf_end..]);
    add_to_u32(&mut out, moof, grows)?;
    add_to_u32(&mut out, traf, grows)?;
    if let Some(at) = run.data_offset_at {
        add_to_u32(&mut out, at, grows)?;
    }
    let mut at = moof + run.data_offset + grows;
    for (size, iv) in run.sizes.iter().zip(&ivs) {
        let sample = out
            .get_mut(at..at + size)
            .ok_or("a sample lies outside the fragment")?;
        let mut nonce = [0u8; 16];
        nonce[..IV_BYTES].copy_from_slice(iv);
        Ctr::new(key.into(), &nonce.into()).apply_keystream(sample);
        at += size;
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn be(v: u32) -> [u8; 4] {
        v.to_be_bytes()
    }

    /// A fragment of three samples, as ffmpeg writes one: sizes in the run, data offset from
    /// the moof's start.
    fn fragment(samples: &[&[u8]]) -> Vec<u8> {
        let tfhd = full_box(b"tfhd", 0, 0x02_0000, &be(1));
        let tfdt = full_box(b"tfdt", 1, 0, &0u64.to_be_bytes());
        let mut run = be(samples.len() as u32).to_vec();
        run.extend_from_slice(&be(0)); // data offset, patched below
        for s in samples {
            run.extend_from_slice(&be(960));
            run.extend_from_slice(&be(s.len() as u32));
        }
        let trun = full_box(b"trun", 0, 0x301, &run);
        let traf = mp4box(b"traf", &[tfhd, tfdt, trun].concat());
        let mfhd = full_box(b"mfhd", 0, 0, &be(1));
        let mut moof = mp4box(b"moof", &[mfhd, traf].concat());
        let offset_at = moof.len() - samples.len() * 8 - 4;
        let data = moof.len() + 8;
        moof[offset_at..offset_at + 4].copy_from_slice(&be(data as u32));
        [moof, mp4box(b"mdat", &samples.concat())].concat()
    }

    #[test]
    fn fragments_decrypt_back_with_the_ivs_they_carry() {
        let samples: [&[u8]; 3] = [b"first sample", b"2nd", b"the third and last one"];
        let clear = fragment(&samples);
        let key = [7u8; 16];
        let sealed = protect_fragment(&clear, &key, 5 << 24).unwrap();
        let top = crate::fmp4::boxes(&sealed).unwrap();
        assert_eq!(top.len(), 2, "still a moof and an mdat");
        let (traf, traf_size) = child(&sealed, 8 + 16, top[0].range.end as usize, b"traf").unwrap();
        let run = read_run(&sealed, traf, traf + traf_size).unwrap();
        assert_eq!(run.data_offset, top[1].range.start as usize + 8);
        assert_eq!(run.sizes, vec![12, 3, 22]);
        let (saio, _) = child(&sealed, traf + 8, traf + traf_size, b"saio").unwrap();
        let first_iv = u32_at(&sealed, saio + 16).unwrap() as usize;
        let mut at = run.data_offset;
        for (i, s) in samples.iter().enumerate() {
            let iv = &sealed[first_iv + i * 8..first_iv + i * 8 + 8];
            assert_eq!(iv, &((5u64 << 24) + i as u64).to_be_bytes());
            let mut bytes = sealed[at..at + s.len()].to_vec();
            assert_ne!(&bytes[..], *s, "sample {i} is encrypted");
            let mut nonce = [0u8; 16];
            nonce[..8].copy_from_slice(iv);
            Ctr::new((&key).into(), &nonce.into()).apply_keystream(&mut bytes);
            assert_eq!(&bytes[..], *s);
            at += s.len();
        }
        assert_eq!(
            protect_fragment(&clear, &key, 5 << 24).unwrap(),
            sealed,
            "the same every time"
        );
        assert!(protect_fragment(&clear[..40], &key, 0).is_err());
    }

    #[test]
    fn the_init_segment_names_the_scheme_and_key_id_but_not_the_key() {
        let mut entry = vec![0u8; 28];
        entry.extend_from_slice(&mp4box(b"dOps", &[0; 11]));
        let stsd = full_box(
            b"stsd",
            0,
            0,
            &[&be(1)[..], &mp4box(b"Opus", &entry)].concat(),
        );
        let stbl = mp4box(b"stbl", &stsd);
        let minf = mp4box(b"minf", &stbl);
        let mdia = mp4box(b"mdia", &[full_box(b"mdhd", 0, 0, &[0; 20]), minf].concat());
        let trak = mp4box(b"trak", &mdia);
        let moov = mp4box(b"moov", &[full_box(b"mvhd", 0, 0, &[0; 96]), trak].concat());
        let init = [mp4box(b"ftyp", b"iso6"), moov].concat();
        let kid = [0xab; 16];
        let sealed = protect_init(&init, &kid).unwrap();
        let top = crate::fmp4::boxes(&sealed).unwrap();
        assert_eq!(
            top.iter().map(|b| b.kind).collect::<Vec<_>>(),
            [*b"ftyp", *b"moov"]
        );
        let text = String::from_utf8_lossy(&sealed).into_owned();
        for part in [
            "enca", "sinf", "frma", "Opus", "schm", "cenc", "tenc", "pssh",
        ] {
            assert!(text.contains(part), "{part}");
        }
        assert_eq!(
            sealed.windows(16).filter(|w| *w == kid).count(),
            2,
            "in tenc and pssh"
        );
        assert!(protect_init(b"not an mp4", &kid).is_err());
    }
}
