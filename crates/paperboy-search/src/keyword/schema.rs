//! The keyword index's fields and text analysis.

use tantivy::schema::{
    FAST, Field, INDEXED, IndexRecordOption, STORED, STRING, Schema, TextFieldIndexing, TextOptions,
};
use tantivy::tokenizer::{
    AsciiFoldingFilter, Language, LowerCaser, RemoveLongFilter, SimpleTokenizer, Stemmer,
    StopWordFilter, TextAnalyzer,
};

/// Bumped whenever the schema or the analysis changes: an index built by another
/// version is rebuilt from the database.
pub const SCHEMA_VERSION: u32 = 1;

/// Analyzer for titles and abstracts: words, lower case, accents folded, English stems.
pub const TEXT_ANALYZER: &str = "paperboy_text";
/// Analyzer for author names: words, lower case, accents folded, no stemming.
pub const NAME_ANALYZER: &str = "paperboy_name";

/// The index's fields.
#[derive(Debug, Clone, Copy)]
pub struct Fields {
    /// arXiv id, untokenized, stored: how hits are identified and documents replaced.
    pub id: Field,
    /// Title (searched with a boost).
    pub title: Field,
    /// Abstract.
    pub summary: Field,
    /// Author names, one value per author.
    pub authors: Field,
    /// Categories, lower-cased, untokenized.
    pub categories: Field,
    /// Publication time, Unix seconds (filters and filter-only ordering).
    pub published: Field,
    /// 1 when the paper has a code repository.
    pub has_code: Field,
}

impl Fields {
    /// Builds the schema and the fields in it.
    pub fn schema() -> (Schema, Fields) {
        let mut builder = Schema::builder();
        let text = |analyzer: &str| {
            TextOptions::default().set_indexing_options(
                TextFieldIndexing::default()
                    .set_tokenizer(analyzer)
                    .set_index_option(IndexRecordOption::WithFreqsAndPositions),
            )
        };
        let fields = Fields {
            id: builder.add_text_field("id", STRING | STORED),
            title: builder.add_text_field("title", text(TEXT_ANALYZER)),
            summary: builder.add_text_field("summary", text(TEXT_ANALYZER)),
            authors: builder.add_text_field("authors", text(NAME_ANALYZER)),
            categories: builder.add_text_field("categories", STRING),
            published: builder.add_i64_field("published", INDEXED | FAST),
            has_code: builder.add_u64_field("has_code", INDEXED),
        };
        (builder.build(), fields)
    }
}

/// The analyzer for titles and abstracts.
pub fn text_analyzer() -> TextAnalyzer {
    TextAnalyzer::builder(SimpleTokenizer::default())
        .filter(RemoveLongFilter::limit(48))
        .filter(LowerCaser)
        .filter(AsciiFoldingFilter)
        .filter(Stemmer::new(Language::English))
        .build()
}

/// Words too common to be worth highlighting.
const HIGHLIGHT_STOP_WORDS: [&str; 45] = [
    "a", "an", "and", "are", "as", "at", "be", "been", "but", "by", "can", "for", "from", "has",
    "have", "if", "in", "into", "is", "it", "its", "no", "not", "of", "on", "or", "our", "such",
    "than", "that", "the", "their", "then", "there", "these", "they", "this", "to", "us", "via",
    "was", "we", "which", "will", "with",
];

/// The text analyzer without stop words, for picking the query words to highlight.
pub fn highlight_analyzer() -> TextAnalyzer {
    TextAnalyzer::builder(SimpleTokenizer::default())
        .filter(RemoveLongFilter::limit(48))
        .filter(LowerCaser)
        .filter(StopWordFilter::remove(
            HIGHLIGHT_STOP_WORDS.map(str::to_owned),
        ))
        .filter(AsciiFoldingFilter)
        .filter(Stemmer::new(Language::English))
        .build()
}

/// The analyzer for names.
pub fn name_analyzer() -> TextAnalyzer {
    TextAnalyzer::builder(SimpleTokenizer::default())
        .filter(RemoveLongFilter::limit(48))
        .filter(LowerCaser)
        .filter(AsciiFoldingFilter)
        .build()
}

/// The terms `analyzer` makes of `text`, in order.
pub fn analyze(analyzer: &mut TextAnalyzer, text: &str) -> Vec<String> {
    let mut stream = analyzer.token_stream(text);
    let mut terms = Vec::new();
    while stream.advance() {
        terms.push(stream.token().text.clone());
    }
    terms
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_is_stemmed_and_folded_names_are_not_stemmed() {
        assert_eq!(
            analyze(&mut text_analyzer(), "Models modelling Über-Fast LLaMA"),
            ["model", "model", "uber", "fast", "llama"]
        );
        assert_eq!(
            analyze(&mut name_analyzer(), "Balázs Models"),
            ["balazs", "models"]
        );
    }
}
