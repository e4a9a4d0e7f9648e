"""Dedup stage: exact and near-duplicate clusters, containment, and the canonical copy of each speech.

Entry points (the store's contract): `ensure_schema(db)`, `update_clusters(db, doc_ids)` (incremental, inside the
store's transaction), `rebuild(db)` (from scratch, same result). Benchmarks: `python -m benchmarks.dedup` (quality),
`python -m benchmarks.scale` (cost per document as the corpus grows).

Modules: `sketch` (n-grams, MinHash, index keys), `verify` (a candidate pair on exact n-grams), `index` (tables,
capped posting lists, sketches of stored documents), `keyfilter` (the stop keys and Bloom filters that let a lookup
skip the tables), `precheck` (the workers compare a new document with its committed candidates ahead of the writer,
which takes each result only if it was made with the candidate's current fingerprint, and brings the workers' key
lookups up to date with what it posted since), `place` (placement,
update_clusters, rebuild), `clusters` (joins, clusters and canonical copies from the links).

Comparison text
---------------
Documents are compared on their fingerprint (`cleaners.fingerprint.fingerprint_text`: traditional script, pinyin,
placeholders, figures, known 伪原创 swaps, punctuation and whitespace folded away), as character NGRAM-grams.
5-grams: between different demo speeches the mean Jaccard is 0.0013 with 5-grams against 0.0026 with 4-grams (stock
phrases), so fewer chance candidates; on the generated copies the worst copy/negative coverages are 0.91/0.69 for
both 4- and 5-grams, and longer grams lose more to every swap or watermark (0.89/0.68 for 8-grams).

Candidates: one persisted index
-------------------------------
`dedup_keys(key, doc_id)` is an indexed SQLite table (WITHOUT ROWID): the postings are never loaded into memory and
a lookup is a B-tree seek. New keys go to the small `dedup_keys_new` first, move to `dedup_keys_mid` in one sorted
insert every HOT_KEYS keys, and from there to `dedup_keys` once the middle table holds MID_KEYS keys or MID_SHARE
of the big one's (an LSM tree of three B-trees, `index.merge_keys`), so a transaction dirties few pages and the pages
written per key stay bounded whatever the size of the corpus. A lookup asks the two older tables only for keys their
Bloom filters hold and no table for a stop key (`fanwen.dedup.keyfilter`; the answer is the same): at a million
documents two thirds of a new document's keys are in no list and a quarter are stop keys, and each of their seeks
read a leaf page of a B-tree bigger than any cache (the filters: ~2 bytes a key in memory and in dedup_filters, 40 MB
at a million documents). A document writes these keys:
- `x`: its content hash (exact copies);
- `f`: FULL_BANDS band hashes of a MinHash signature (datasketch's affine32 permutations, FULL_BANDS x FULL_ROWS)
  of all its n-grams: near copies whose differences are spread over the text (swaps, watermarks, page markers).
  16 bands of 4 catch a pair at Jaccard 0.6 with probability 0.89, at 0.7 with 0.99, at 0.1 with 0.002;
- `h`: band hashes of the MinHash of its first 100 and first 400 characters (HEADS): a truncated preview shares its
  head with the full copy even when both are noisy (the 400-character head also survives a title glued to the
  start);
- `c`: one hash per content-defined chunk, the text between two consecutive anchors (n-grams whose hash is 0
  modulo CHUNK_MOD, about one per CHUNK_MOD characters): a passage found anywhere in two documents gives the same
  keys in both whatever precedes it, so previews cut anywhere, copies inside wrappers, and the second speech of a
  compilation are found however small their Jaccard. Chunks shorter than CHUNK_MIN n-grams are skipped (stock
  phrases);
- `s`: the first SEAM_CHARS characters of the document and of every speech that starts inside it after a title
  (…会上的讲话): a compilation cut off a few lines into its second speech still shares a key with that speech.
Only the first document of a group of exact copies is indexed and compared; the others link to it. The keys of a
document are ~2 + 16 + 8 + length/280: about 36 for a 3,300-character speech, 0.6 KB of index per document.

Posting lists are capped (POSTING_CAP, `fanwen.dedup.index`): a key held by that many indexed documents is a stop
key, it gives no candidates and takes no more postings. Government speeches share stock passages (套话, slogans, the
opening formulas) verbatim with thousands of others; such a shared chunk is no evidence of copying, and without the
cap its list (and the candidates of every new document) grows with the corpus. A real copy shares many specific
keys (a preview its head bands and first chunks, a near copy several bands and chunks), so it is still found. So
that the copies of one popular speech do not fill their own lists, a near copy posts only the keys that the
documents it is a near copy of do not hold: the first copy stands for the others, and a later copy is compared
with it rather than with every earlier copy. The candidates of a document thus depend on the documents placed
before it: placement is in id order, and `rebuild` places the documents again in id order with the same code.
A candidate that shares a single band key (of the whole text or of a head) and nothing else is verified only if the
stored 256-byte signatures (dedup_docs.sig) agree on >= 0.3 of their values (one band in 16 matches by chance between
texts that share stock passages, a head band between speeches that open with the same formula). A contains match is
also verified against the near copies of the container (which posted no keys of their own for it), so the best
container of a preview does not depend on which copy came first.

Verification: exact n-grams, no estimate
----------------------------------------
Every candidate is verified on its n-grams, recomputed from the stored text (fingerprint and n-grams take well
under a millisecond for a speech, and a second stored copy of the text would cost more than the text; a Jaccard
estimate from 64 permutations has a standard error of 0.06: not good enough to decide). For the pair, the smaller document is
"covered" by the bigger: the share of its n-gram positions whose window of SMOOTH_WINDOW positions has at least
SMOOTH_MIN of its n-grams in the other. Noise spread over a copy (a swap every 50 characters, a watermark every
200, a page marker) leaves the coverage near 1, while a different speech that shares whole paragraphs is covered
by exactly the share of those paragraphs (0.3 and 0.6 for the benchmark's hard negatives, at most 0.68 measured),
so one threshold separates them:
- exact: same fingerprint;
- near: the smaller is covered >= LINK_COVERAGE (0.8) and the bigger >= NEAR_BIG (0.7) by the smaller (a copy, a
  copy with leftovers of up to 30 %);
- contains: the smaller is covered >= CONTAIN_COVERAGE (0.9) but the bigger less than NEAR_BIG (a preview, one
  speech of a compilation); it needs MIN_CONTAINED n-grams. The stricter threshold keeps out an abridged different
  speech (60 % of a speech's paragraphs, shorter new ones instead of the rest: 80-85 % of it is the other text),
  while a preview is covered but for its paywall line (0.94 and more in the benchmark);
- contains, cut off: the beginning of one document (PART_MIN n-grams or more) ends the other, after something else
  (a compilation preview cut off inside its second speech); its containment is below LINK_COVERAGE.
Each link records the Jaccard, both coverages and the span of the bigger document that the smaller covers.

Clusters: a pure function of the links
--------------------------------------
So incremental placement and a rebuild agree (both place documents in id order, so they find the same links).
The parts of a document are the smaller documents linked to it, each with its span. A document is a compilation
if two of its parts lie side by side (overlap < 20 %) and the later one's title stands where that part starts.
- exact links join;
- near and contains links join only if both documents or neither are compilations, and in a compilation only a
  part that overlaps every other part (by SPAN_OVERLAP: a copy of the whole compilation): so a compilation links
  to both its speeches and joins neither, and a bigger copy of one speech cannot absorb it either;
- a contains link joins the part to one container only, its best (highest coverage, then the most similar title,
  then Jaccard, then lowest id): a preview that also fits in a different speech opening with the same paragraphs
  cannot bridge the two; cut-off links never join.
A cluster's id is its lowest document id; every document has one (a document with no link is its own cluster).

The canonical copy
------------------
For each cluster, the first of its documents in this order (`canonical_rank`), is_canonical = 1:
1. not from a low-trust (hijacked) host: such a document is never canonical;
2. not a compilation: never canonical either (its speeches are canonical in their own clusters), so a cluster of
   compilations (or of low-trust copies only) has no canonical copy and no row in `speeches`;
3. complete beats truncated: the `truncated` flag, or contained in a cluster member of which it is at most
   PREVIEW_RATIO, or covering less than COMPLETE_MIN of the n-grams that most members share;
4. not mangled beats mangled, graded in steps of 0.1: the cleaners' `mangled` score (0..1) or the swap signs in
   the text (效劳, 根底, 原那么, 咨询题, 〞: 5 per 1000 characters count 1), plus 1 for a traditional-script or pinyin
   mirror;
5. fewer leftovers: the share of its n-grams that most members do not share (boilerplate, watermarks, noise),
   rounded to 0.01;
6. earliest `published` (unknown dates last);
7. lowest id.
The figures are kept in dedup_docs (preview, leftovers, completeness, signs, compilation) to explain the choice.
"""
from __future__ import annotations

from fanwen.dedup.clusters import COMPLETE_MIN, PREVIEW_RATIO, SPAN_OVERLAP, canonical_rank, joining_links
from fanwen.dedup.index import CLUSTERS_VIEW, HOT_KEYS, LINK_COLUMNS, POSTING_CAP, ensure_schema, load_fp
from fanwen.dedup.index import sketches as _cache
from fanwen.dedup.place import rebuild, update_clusters
from fanwen.dedup.sketch import (CHUNK_MAX, CHUNK_MIN, CHUNK_MOD, FULL_BANDS, FULL_ROWS, HEADS, KEY_BITS, NGRAM,
                                 NUM_PERM, SEAM_CHARS, SEED, Sketch, anchors, index_keys, minhash, seams,
                                 shingle_hashes, sketch)
from fanwen.dedup.verify import (CONTAIN_COVERAGE, LINK_COVERAGE, MIN_CONTAINED, NEAR_BIG, PART_MIN, SMOOTH_MIN,
                                 SMOOTH_WINDOW, SPAN_GAP, Match, compare, mangle_signs, title_similarity)

__all__ = ["ensure_schema", "update_clusters", "rebuild", "compare", "sketch", "index_keys", "canonical_rank",
           "joining_links", "mangle_signs", "title_similarity", "minhash", "shingle_hashes", "seams", "Match",
           "Sketch"]
