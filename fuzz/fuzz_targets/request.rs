//! Bytes → prost-decoded `NormalizeRequest` → the gRPC conversion (`grpc::convert`) → engine →
//! proto article: the path a request takes through the service, without the network.
#![no_main]

use std::sync::OnceLock;

use copydesk::grpc::convert;
use copydesk::{Config, Rules, normalize, pb};
use libfuzzer_sys::fuzz_target;
use prost::Message;

fn rules() -> &'static Rules {
    static RULES: OnceLock<Rules> = OnceLock::new();
    RULES.get_or_init(|| Rules::embedded().expect("embedded rules"))
}

// Rules compile once, before the fuzzing clock starts (seconds under ASan).
fuzz_target!(init: { rules(); }, |data: &[u8]| {
    let Ok(request) = pb::NormalizeRequest::decode(data) else {
        return;
    };
    let doc = request.document.unwrap_or_default();
    let options = request.options.unwrap_or_default();
    let input = convert::input(&doc);
    assert_eq!(input.len(), convert::document_len(&doc));
    match normalize(&input, rules(), &Config::default()) {
        Ok(article) => {
            let a = convert::article(article, &options);
            assert_eq!(a.id, doc.id);
            // The answer encodes (what tonic does next).
            let bytes = a.encode_to_vec();
            assert_eq!(pb::Article::decode(bytes.as_slice()).ok(), Some(a));
        }
        Err(e) => {
            let status = convert::status(&e);
            assert!(matches!(
                status.code(),
                tonic::Code::InvalidArgument | tonic::Code::ResourceExhausted
            ));
            assert!(!status.message().is_empty());
        }
    }
});
