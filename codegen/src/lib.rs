//! awslim code generator.
