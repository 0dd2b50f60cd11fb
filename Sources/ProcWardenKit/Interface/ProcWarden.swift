/// Names that belong to the product as a whole.
public enum ProcWarden {
    public static let version = "0.1.0"
}
