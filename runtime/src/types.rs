//! placeholder
pub type Document = ::serde_json::Value; pub struct Blob; pub struct DateTime; pub struct BigInteger; pub struct BigDecimal;
