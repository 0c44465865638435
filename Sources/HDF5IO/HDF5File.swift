@preconcurrency import CHDF5
import Diagnostics
import Foundation
import IOLimits

/// An error from the HDF5 layer, naming the file, the dataset or attribute, and the reason.
public struct HDF5Error: Error, CategorizedError, CustomStringConvertible, Sendable {
    /// Raised while reading an input.
    public var category: ErrorCategory { .badInput }
    public let file: String
    public let object: String
    public let reason: String
    public var description: String { "\(file): \(object): \(reason)" }
}

/// A read-only HDF5 file (libhdf5). One handle per task; HDF5 serialises calls internally.
public final class HDF5File {
    public let path: String
    private let id: hid_t

    public init(path: String) throws {
        self.path = path
        // HDF5 prints its own error stack by default; we report errors ourselves.
        H5Eset_auto2(vk_H5E_DEFAULT(), nil, nil)
        guard H5Fis_hdf5(path) > 0 else { throw HDF5Error(file: path, object: "file", reason: "not an HDF5 file") }
        let f = H5Fopen(path, vk_H5F_ACC_RDONLY(), vk_H5P_DEFAULT())
        guard f >= 0 else { throw HDF5Error(file: path, object: "file", reason: "cannot open") }
        id = f
    }

    deinit { H5Fclose(id) }

    /// A string attribute of the root group (e.g. km3pipe's `format_version`).
    public func rootStringAttribute(_ name: String) -> String? {
        guard H5Aexists(id, name) > 0 else { return nil }
        let a = H5Aopen(id, name, vk_H5P_DEFAULT())
        guard a >= 0 else { return nil }
        defer { H5Aclose(a) }
        let t = H5Aget_type(a)
        defer { H5Tclose(t) }
        guard H5Tget_class(t) == H5T_STRING else { return nil }
        let size = H5Tget_size(t)
        var buf = [CChar](repeating: 0, count: size + 1)
        guard H5Aread(a, t, &buf) >= 0 else { return nil }
        return String(decoding: buf.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    /// All datasets below `group` (recursively), skipping PyTables index groups (`_i_*`).
    public func datasets(under group: String = "/") -> [String] {
        var out: [String] = []
        func walk(_ g: String) {
            let gid = H5Gopen2(id, g, vk_H5P_DEFAULT())
            guard gid >= 0 else { return }
            defer { H5Gclose(gid) }
            var info = H5G_info_t()
            guard H5Gget_info(gid, &info) >= 0 else { return }
            for i in 0..<info.nlinks {
                let n = H5Lget_name_by_idx(gid, ".", H5_INDEX_NAME, H5_ITER_INC, i, nil, 0, vk_H5P_DEFAULT())
                guard n > 0 else { continue }
                var buf = [CChar](repeating: 0, count: Int(n) + 1)
                H5Lget_name_by_idx(gid, ".", H5_INDEX_NAME, H5_ITER_INC, i, &buf, n + 1, vk_H5P_DEFAULT())
                let name = cString(buf)
                if name.hasPrefix("_i_") { continue }
                let child = (g == "/" ? "" : g) + "/" + name
                var oinfo = H5O_info_t()
                guard H5Oget_info_by_name1(id, child, &oinfo, vk_H5P_DEFAULT()) >= 0 else { continue }
                if oinfo.type == H5O_TYPE_GROUP {
                    walk(child)
                } else if oinfo.type == H5O_TYPE_DATASET {
                    out.append(child)
                }
            }
        }
        walk(group)
        return out
    }

    public func dataset(_ name: String) throws -> HDF5Dataset {
        let d = H5Dopen2(id, name, vk_H5P_DEFAULT())
        guard d >= 0 else { throw HDF5Error(file: path, object: name, reason: "no such dataset") }
        return HDF5Dataset(file: path, name: name, id: d)
    }
}

/// A 1-D dataset of compound rows (km3pipe tables) or plain values.
public final class HDF5Dataset {
    public let file: String
    public let name: String
    let id: hid_t

    init(file: String, name: String, id: hid_t) {
        self.file = file
        self.name = name
        self.id = id
    }

    deinit { H5Dclose(id) }

    public var rowCount: Int {
        let s = H5Dget_space(id)
        defer { H5Sclose(s) }
        var dims = [hsize_t](repeating: 0, count: 4)
        let nd = H5Sget_simple_extent_dims(s, &dims, nil)
        return nd >= 1 ? Int(dims[0]) : 0
    }

    /// Checks the declared extent against the bytes stored for the dataset and the memory limit,
    /// so that a damaged dataspace (a flipped bit made one claim 2.25e15 bytes) is an error before
    /// anything is allocated. Compressed data can hold many rows per stored byte, but no more than
    /// deflate's ratio allows.
    public func checkExtent() throws {
        let t = H5Dget_type(id)
        defer { H5Tclose(t) }
        let rowSize = max(1, H5Tget_size(t))
        let rows = rowCount
        let (declared, overflow) = rows.multipliedReportingOverflow(by: max(rowSize, 8))
        if overflow {
            throw HDF5Error(file: file, object: name, reason: "declares \(rows) rows, more than any file holds")
        }
        let stored = Int(H5Dget_storage_size(id))
        if declared > stored.multipliedReportingOverflow(by: ReadLimits.maxInflateRatio).partialValue + 4096 {
            throw HDF5Error(
                file: file, object: name,
                reason:
                    "declares \(rows) rows of \(rowSize) bytes, but the file stores only \(stored) bytes for it: damaged"
            )
        }
        if let why = ReadLimits.refusal(declared, for: "reading \(rows) rows") {
            throw HDF5Error(file: file, object: name, reason: why)
        }
    }

    /// Field names of a compound dataset.
    public var fields: [String] {
        let t = H5Dget_type(id)
        defer { H5Tclose(t) }
        guard H5Tget_class(t) == H5T_COMPOUND else { return [] }
        return (0..<H5Tget_nmembers(t)).compactMap { i in
            guard let p = H5Tget_member_name(t, UInt32(i)) else { return nil }
            defer { H5free_memory(p) }
            return String(cString: p)
        }
    }

    /// Filters of the dataset's pipeline that this libhdf5 cannot apply, as "name (id)".
    public var unavailableFilters: [String] {
        let plist = H5Dget_create_plist(id)
        defer { H5Pclose(plist) }
        var out: [String] = []
        for i in 0..<max(0, H5Pget_nfilters(plist)) {
            var flags: UInt32 = 0
            var nelem = 0
            var cd = [UInt32](repeating: 0, count: 16)
            var name = [CChar](repeating: 0, count: 64)
            var config: UInt32 = 0
            let f = H5Pget_filter2(plist, UInt32(i), &flags, &nelem, &cd, 64, &name, &config)
            if f >= 0, H5Zfilter_avail(f) <= 0 {
                let n = cString(name)
                out.append("\(n.isEmpty ? (f == 32001 ? "blosc" : "unknown") : n) (id \(f))")
            }
        }
        return out
    }

    /// One field of every row, converted by HDF5 to Double (integers and floats alike).
    public func doubles(_ field: String) throws -> [Double] { try read(field, vk_H5T_NATIVE_DOUBLE(), 0.0) }
    public func int64s(_ field: String) throws -> [Int64] { try read(field, vk_H5T_NATIVE_INT64(), Int64(0)) }

    private func read<T>(_ field: String, _ nativeType: hid_t, _ zero: T) throws -> [T] {
        guard fields.contains(field) else {
            throw HDF5Error(
                file: file, object: name, reason: "no field '\(field)' (fields: \(fields.joined(separator: ", ")))")
        }
        let n = rowCount
        var out = [T](repeating: zero, count: n)
        guard n > 0 else { return out }
        // A compound memory type with just this field: HDF5 picks it out of each row and converts it.
        let mem = H5Tcreate(H5T_COMPOUND, MemoryLayout<T>.size)
        defer { H5Tclose(mem) }
        H5Tinsert(mem, field, 0, nativeType)
        let rc = out.withUnsafeMutableBytes {
            H5Dread(id, mem, vk_H5S_ALL(), vk_H5S_ALL(), vk_H5P_DEFAULT(), $0.baseAddress)
        }
        guard rc >= 0 else {
            let missing = unavailableFilters
            throw HDF5Error(
                file: file, object: name,
                reason: missing.isEmpty
                    ? "cannot read field '\(field)'"
                    : "unsupported filter \(missing.joined(separator: ", ")); this libhdf5 cannot decompress it")
        }
        return out
    }
}

/// A C string buffer (NUL-terminated) as a Swift string.
func cString(_ buf: [CChar]) -> String {
    String(decoding: buf.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
}
