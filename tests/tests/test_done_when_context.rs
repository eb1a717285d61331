//! The "Done when" snippet of the context-chain issue, as written.

use error_core::{Class, ClassifiedError, Report, ResultExt, Status};

#[derive(Debug, ClassifiedError)]
#[non_exhaustive]
pub enum ReplicaError {
    #[error("pool not found")]
    #[class(invalid, status = not_found)]
    PoolNotFound { pool: String },
    #[error("replica already exists")]
    #[class(invalid, status = already_exists)]
    ReplicaExists,
}

#[derive(Debug, ClassifiedError)]
#[class(context)]
#[non_exhaustive]
pub enum RpcError {
    #[error("failed to create replica")]
    #[class(source)]
    CreateReplica { source: ReplicaError, uuid: String },
}

fn create_replica(uuid: &str) -> Result<(), RpcError> {
    Err::<(), _>(ReplicaError::ReplicaExists).context(CreateReplicaCtx { uuid })
}

#[test]
fn done_when() {
    let err = create_replica("dbe4d7eb").unwrap_err();
    assert_eq!(err.class(), Class::Invalid);
    assert_eq!(err.status(), Status::AlreadyExists);
    assert_eq!(err.status().http(), 409);
    assert_eq!(
        Report::new(&err).to_string(),
        "failed to create replica. uuid=`dbe4d7eb`: replica already exists"
    );

    let public: error_core::Error = err.into();
    assert_eq!(public.class(), Class::Invalid);
    assert_eq!(public.code(), "RpcError::CreateReplica");
    assert!(public.downcast_ref::<RpcError>().is_some());
    assert_eq!(
        std::mem::size_of::<error_core::Error>(),
        2 * std::mem::size_of::<usize>()
    );
}

#[test]
fn report_alternate_shows_each_link_class_and_code() {
    let err = create_replica("dbe4d7eb").unwrap_err();
    assert_eq!(
        format!("{:#}", Report::new(&err)),
        "failed to create replica. uuid=`dbe4d7eb` (invalid, RpcError::CreateReplica)\n  \
         caused by: replica already exists (invalid, ReplicaError::ReplicaExists)"
    );
    assert_eq!(
        format!("{:?}", Report::new(&err)),
        format!("{:#}", Report::new(&err))
    );
}
