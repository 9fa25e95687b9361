//! A file the page holds but has not read: its name and its bytes as a `Blob` (dropped,
//! picked, or fetched from the app's own files). The state keeps every one loaded so far.

/// A file to describe: its name and its bytes, not yet read.
pub struct PendingFile {
    pub name: String,
    pub blob: web_sys::Blob,
}

impl From<web_sys::File> for PendingFile {
    fn from(file: web_sys::File) -> Self {
        PendingFile {
            name: file.name(),
            blob: file.into(),
        }
    }
}

/// The files of a `FileList` (from a file input or a drop).
pub fn files_of(list: Option<web_sys::FileList>) -> Vec<PendingFile> {
    let Some(list) = list else {
        return Vec::new();
    };
    (0..list.length())
        .filter_map(|i| list.get(i))
        .map(PendingFile::from)
        .collect()
}
