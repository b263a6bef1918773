//! Test pictures: PNG files with known pixels, written here so tests can check
//! that what a browser shows is exactly what was sent.

use std::io::Write;

use flate2::Compression;
use flate2::Crc;
use flate2::write::ZlibEncoder;

/// The scanline filter byte for "no filter".
const FILTER_NONE: u8 = 0;

/// A PNG picture and its pixels.
pub struct TestPicture {
    /// The PNG file.
    pub file: Vec<u8>,
    /// Its pixels, RGBA, row by row (alpha always 255).
    pub rgba: Vec<u8>,
    /// Width in pixels.
    pub width: u32,
    /// Height in pixels.
    pub height: u32,
}

/// A `width` x `height` evening-sky gradient with a sun: something pleasant to show
/// in screenshots.
pub fn gradient(width: u32, height: u32) -> TestPicture {
    let (w, h) = (f64::from(width), f64::from(height));
    let (sun_x, sun_y, sun_r) = (w * 0.7, h * 0.62, h * 0.16);
    encode(width, height, |x, y| {
        let (x, y) = (f64::from(x), f64::from(y));
        let t = y / h;
        let mut rgb = [40.0 + 215.0 * t, 50.0 + 110.0 * t * t, 120.0 - 40.0 * t];
        let d = ((x - sun_x).powi(2) + (y - sun_y).powi(2)).sqrt();
        if d < sun_r {
            rgb = [255.0, 226.0, 150.0];
        } else if y > h * 0.78 {
            rgb = [30.0, 28.0, 48.0 + 20.0 * (x / w)];
        }
        rgb.map(|c| c.clamp(0.0, 255.0) as u8)
    })
}

/// A `width` x `height` RGB picture of noise from `seed`: it does not compress,
/// so even a small picture spans several 48 KiB upload parts.
pub fn noise(width: u32, height: u32, seed: u32) -> TestPicture {
    let mut state = seed.wrapping_mul(2_654_435_761).max(1);
    let mut next = move || {
        // xorshift32: deterministic, fast, good enough to defeat compression.
        state ^= state << 13;
        state ^= state >> 17;
        state ^= state << 5;
        (state >> 24) as u8
    };
    encode(width, height, |_, _| [next(), next(), next()])
}

/// Encodes the picture whose pixel at `(x, y)` is `pixel(x, y)`, row by row.
fn encode(width: u32, height: u32, mut pixel: impl FnMut(u32, u32) -> [u8; 3]) -> TestPicture {
    let mut raw = Vec::new();
    let mut rgba = Vec::new();
    for y in 0..height {
        raw.extend_from_slice(&[FILTER_NONE]);
        for x in 0..width {
            let pixel = pixel(x, y);
            raw.extend_from_slice(&pixel);
            rgba.extend_from_slice(&pixel);
            rgba.push(255);
        }
    }
    let mut zlib = ZlibEncoder::new(Vec::new(), Compression::default());
    zlib.write_all(&raw).unwrap_or_default();
    let data = zlib.finish().unwrap_or_default();

    let mut header = Vec::new();
    header.extend_from_slice(&width.to_be_bytes());
    header.extend_from_slice(&height.to_be_bytes());
    header.extend_from_slice(&[8, 2, 0, 0, 0]); // 8-bit RGB, no interlace

    let mut file = b"\x89PNG\r\n\x1a\n".to_vec();
    chunk(&mut file, b"IHDR", &header);
    chunk(&mut file, b"IDAT", &data);
    chunk(&mut file, b"IEND", &[]);
    TestPicture {
        file,
        rgba,
        width,
        height,
    }
}

fn chunk(out: &mut Vec<u8>, kind: &[u8; 4], data: &[u8]) {
    let len = u32::try_from(data.len()).unwrap_or(u32::MAX);
    out.extend_from_slice(&len.to_be_bytes());
    out.extend_from_slice(kind);
    out.extend_from_slice(data);
    let mut crc = Crc::new();
    crc.update(kind);
    crc.update(data);
    out.extend_from_slice(&crc.sum().to_be_bytes());
}
