//! The `http` and `tonic` features of error-core.

use error_core::{Class, ClassifiedError, Report, ResultExt, Status, ToTonicStatus};

#[test]
fn every_status_converts_to_its_http_status_code() {
    for status in Status::ALL {
        let code: http::StatusCode = status.into();
        assert_eq!(code.as_u16(), status.http(), "{status}");
        assert_eq!(status.http_status(), code);
    }
    assert_eq!(Status::NotFound.http_status(), http::StatusCode::NOT_FOUND);
    assert_eq!(
        Status::ResourceExhausted.http_status(),
        http::StatusCode::TOO_MANY_REQUESTS
    );
    assert_eq!(Status::Cancelled.http_status().as_u16(), 499);
}

#[test]
fn every_status_converts_to_its_tonic_code() {
    for status in Status::ALL {
        assert_eq!(status.tonic_code() as i32, status.grpc(), "{status}");
    }
    assert_eq!(
        Status::AlreadyExists.tonic_code(),
        tonic::Code::AlreadyExists
    );
    assert_eq!(
        Status::Unauthenticated.tonic_code(),
        tonic::Code::Unauthenticated
    );
}

mod replica {
    use error_core::ClassifiedError;

    #[derive(Debug, ClassifiedError)]
    #[non_exhaustive]
    pub enum ReplicaError {
        #[error("replica already exists")]
        #[class(invalid, status = already_exists)]
        ReplicaExists,
    }
}

mod rpc {
    use error_core::ClassifiedError;

    use super::replica::ReplicaError;

    #[derive(Debug, ClassifiedError)]
    #[class(context)]
    #[non_exhaustive]
    pub enum RpcError {
        #[error("failed to create replica")]
        #[class(source)]
        CreateReplica {
            source: ReplicaError,
            #[kv(redact)]
            uuid: error_core::Secret<String>,
        },
    }
}

fn create(uuid: &str) -> Result<(), rpc::RpcError> {
    Err::<(), _>(replica::ReplicaError::ReplicaExists).context(rpc::CreateReplicaCtx { uuid })
}

#[test]
fn tonic_status_takes_the_deepest_status_and_the_one_line_report() {
    let err = create("dbe4d7eb").unwrap_err();
    let status = err.to_tonic_status();
    assert_eq!(status.code(), tonic::Code::AlreadyExists);
    assert_eq!(
        status.message(),
        "failed to create replica. uuid=`<redacted>`: replica already exists"
    );
    assert_eq!(status.message(), Report::new(&err).to_string());
}

#[test]
fn boundary_error_converts_into_tonic_status() {
    let public: error_core::Error = create("dbe4d7eb").unwrap_err().into();
    assert_eq!(public.class(), Class::Invalid);
    let status: tonic::Status = public.into();
    assert_eq!(status.code(), tonic::Code::AlreadyExists);
    assert_eq!(
        status.message(),
        "failed to create replica. uuid=`<redacted>`: replica already exists"
    );

    let adhoc: tonic::Status = error_core::Error::busy("queue full").into();
    assert_eq!(adhoc.code(), tonic::Code::ResourceExhausted);
    assert_eq!(adhoc.message(), "queue full");
}
