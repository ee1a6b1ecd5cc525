//! Wire-protocol helpers shared by generated (de)serializers.

pub mod rest_json;
