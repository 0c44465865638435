/// How producers sign their files, for the readers that repair a producer's habits (GADF) and the
/// validator that names its dialect (Validation): each mark declared once.
public enum ProducerMarks {
    /// CREATOR of H.E.S.S. DR1's event lists (SASH, GADF 0.2).
    public static let hessSASH = "SASH FITS::EventListWriter"
}
