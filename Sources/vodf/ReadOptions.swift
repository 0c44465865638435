import ArgumentParser
import IOLimits

/// Options every command that reads files shares.
struct ReadOptions: ParsableArguments {
    @Option(
        name: .customLong("max-memory"),
        help: ArgumentHelp(
            "Largest buffer a size declared in a file may make vodf allocate (e.g. 256M, 2G).",
            discussion:
                "Declared sizes (NAXISn, TFORM repeats, ROOT key and basket lengths, HDF5 extents) are first checked against the bytes the file holds; this limit bounds what that cannot (inflated .gz content, decompressed baskets). A file that needs more is an error naming it."
        ))
    var maxMemory: String = "256M"

    func validate() throws {
        guard ReadLimits.parse(maxMemory) != nil else {
            throw ValidationError("--max-memory takes a size such as 256M or 2G, not '\(maxMemory)'")
        }
    }

    /// Sets the limits for this run.
    func apply() { ReadLimits.maxBytes = ReadLimits.parse(maxMemory) ?? ReadLimits.maxBytes }
}
