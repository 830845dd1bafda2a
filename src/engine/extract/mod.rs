//! Stage 6: fields from classified units.
