//! Decoding the histograms a report carries (HdrHistogram V2 deflate,
//! base64) for the formats that need the buckets themselves.

use hdrhistogram::Histogram;
use hdrhistogram::serialization::Deserializer;

/// Why a report's histogram could not be decoded.
#[derive(Debug, thiserror::Error)]
pub enum HistogramError {
    #[error("not base64: {0}")]
    Base64(#[from] base64::DecodeError),
    #[error("not an HdrHistogram: {0:?}")]
    Format(hdrhistogram::serialization::DeserializeError),
}

/// The histogram in a report's `histogram` field.
pub fn decode(encoded: &str) -> Result<Histogram<u64>, HistogramError> {
    use base64::Engine;
    let bytes = base64::engine::general_purpose::STANDARD.decode(encoded)?;
    Deserializer::new().deserialize(&mut bytes.as_slice()).map_err(HistogramError::Format)
}
