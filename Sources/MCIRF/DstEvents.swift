import Foundation
import Model
import ROOTIO
import Readers

/// The events of Monte Carlo dst files (E + T trees) that the builds histogram.
extension MCIRFBuilder {
    /// The number of generated events: the 5th field of Head `genvol` (zmin zmax r volume
    /// numberOfEvents), summed over the files. Files without it cannot be normalised this way.
    public static func generatedEvents(paths: [String]) throws -> Double {
        var total = 0.0
        for path in paths {
            let f = try ROOTFile(path: path)
            guard case .object(let head)? = try? f.object("Head"), case .map(let pairs)? = head["map<string,string>"],
                let genvol = pairs.first(where: { $0.0.string == "genvol" })?.1.string
            else {
                throw InputError(
                    file: path, column: "Head",
                    reason:
                        "no Head genvol: the number of generated events is unknown (use --km3irf-compatible, which normalises by the events in the file)"
                )
            }
            let fields = genvol.split(separator: " ").compactMap { Double($0) }
            guard fields.count >= 5, fields[4] > 0 else {
                throw InputError(
                    file: path, column: "Head", reason: "genvol '\(genvol)' has no number of events (5th field)")
            }
            total += fields[4]
        }
        return total
    }

    /// Reads the events of one or more dst files. Events without a reconstructed or an MC track
    /// cannot be used (km3irf's trks[:, 0] would fail on them); they are counted and left out.
    public static func readEvents(paths: [String], needBDT: Bool) throws -> (Events, skipped: Int) {
        var ev = Events()
        var skipped = 0
        for path in paths {
            let f = try ROOTFile(path: path)
            let e = try f.tree("E")
            let r = BranchReader(tree: e)
            func need(_ n: String) throws -> Branch {
                guard let b = e.branch(n) else {
                    throw InputError(file: path, column: n, reason: "missing branch \(n) (not a dst/offline MC file?)")
                }
                return b
            }
            func firsts(_ name: String) throws -> [Double?] {
                guard case .jagged(let o, let inner) = try r.read(try need(name)) else {
                    throw InputError(file: path, column: name, reason: "not a per-track branch")
                }
                let v = inner.flat
                return (0..<(o.count - 1)).map { o[$0 + 1] > o[$0] ? v[o[$0]] : nil }
            }
            let cols = try [
                "trks.E", "trks.dir.x", "trks.dir.y", "trks.dir.z", "mc_trks.E", "mc_trks.dir.x", "mc_trks.dir.y",
                "mc_trks.dir.z",
            ].map(firsts)
            guard case .jagged(let wo, let wi) = try r.read(try need("w")) else {
                throw InputError(file: path, column: "w", reason: "unexpected layout")
            }
            let wv = wi.flat
            var bdt: [[Double]]? = nil
            if needBDT {
                guard let t = try? f.tree("T"), let bb = t.branch("bdt") else {
                    throw InputError(
                        file: path, column: "T/bdt", reason: "no T/bdt branch: cuts need the dst BDT scores")
                }
                guard case .fixed(let n, let width) = try BranchReader(tree: t).read(bb), width >= 2 else {
                    throw InputError(file: path, column: "T/bdt", reason: "expected float[2] per event")
                }
                let d = n.doubles
                bdt = (0..<(d.count / width)).map { [d[$0 * width], d[$0 * width + 1]] }
            }
            if ev.e.capacity < ev.count + e.entries { ev.reserveCapacity(max(ev.count + e.entries, 2 * ev.e.capacity)) }
            for i in 0..<e.entries {
                guard let te = cols[0][i], let me = cols[4][i], wo[i + 1] - wo[i] > 1 else {
                    skipped += 1
                    continue
                }
                ev.e.append(te)
                ev.dx.append(cols[1][i]!)
                ev.dy.append(cols[2][i]!)
                ev.dz.append(cols[3][i]!)
                ev.eMC.append(me)
                ev.dxMC.append(cols[5][i]!)
                ev.dyMC.append(cols[6][i]!)
                ev.dzMC.append(cols[7][i]!)
                ev.w2.append(wv[wo[i] + 1])
                ev.w3.append(wo[i + 1] - wo[i] > 2 ? wv[wo[i] + 2] : .nan)
                ev.bdt0.append(bdt?[i][0] ?? .nan)
                ev.bdt1.append(bdt?[i][1] ?? .nan)
            }
        }
        return (ev, skipped)
    }

    /// km3irf `get_cut_mask`.
    public static func applyCuts(_ ev: Events) -> Events {
        var out = Events()
        for i in 0..<ev.count {
            let dirZdeg = acos(ev.dz[i]) * 180 / .pi
            let keep =
                ev.bdt0[i] >= 11
                && (ev.bdt0[i] == 12 || (dirZdeg < 80 && ev.bdt1[i] > 0) || (dirZdeg > 80 && ev.bdt1[i] > 0.7))
            guard keep else { continue }
            out.e.append(ev.e[i])
            out.dx.append(ev.dx[i])
            out.dy.append(ev.dy[i])
            out.dz.append(ev.dz[i])
            out.eMC.append(ev.eMC[i])
            out.dxMC.append(ev.dxMC[i])
            out.dyMC.append(ev.dyMC[i])
            out.dzMC.append(ev.dzMC[i])
            out.w2.append(ev.w2[i])
            out.w3.append(ev.w3[i])
            out.bdt0.append(ev.bdt0[i])
            out.bdt1.append(ev.bdt1[i])
        }
        return out
    }
}
