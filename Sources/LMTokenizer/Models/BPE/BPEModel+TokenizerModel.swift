/// BPE through the model protocol: vocabulary queries for `Tokenizer`, and
/// an encode entry that the tokenizer never takes for BPE (it calls
/// `encodePiece` directly, with the piece cache inlined).
extension BPEModel: TokenizerModel {
    func idToToken(_ id: UInt32) -> String? {
        idToString[Int(id)]
    }

    func encode(piece: UnsafeBufferPointer<UInt8>, scratch: ModelScratch, into out: inout [UInt32]) -> Bool {
        encodeUncached(piece, scratch: scratch.bpe, into: &out)
        return true
    }
}
