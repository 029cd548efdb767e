package cem.config;

/**
 * The stable codes of configuration diagnostics. Families: {@code CFG1xxx} reading files,
 * {@code SCH2xxx} structure and types, {@code SEC21xx} secrets, {@code GRF3xxx} references and
 * graph, {@code SEM31xx} ports, {@code CRT32xx} certificates, {@code SEM33xx} other cross-resource
 * rules, {@code ENV9xxx} the environment. Each code has a folder under {@code examples/invalid/}.
 */
public final class ConfigCodes {

    private ConfigCodes() {}

    public static final String YAML_SYNTAX = "CFG1001";
    public static final String DUPLICATE_KEY = "CFG1002";
    public static final String EMPTY_FILE = "CFG1003";
    public static final String BINARY_FILE = "CFG1004";
    public static final String FILE_TOO_LARGE = "CFG1005";
    public static final String ALIAS_BOMB = "CFG1007";
    public static final String UNSUPPORTED_VERSION = "CFG1008";
    public static final String DUPLICATE_ADDRESS = "CFG1009";
    public static final String UNREADABLE_FILE = "CFG1010";

    public static final String UNKNOWN_KEY = "SCH2001";
    public static final String MISSING_KEY = "SCH2002";
    public static final String WRONG_TYPE = "SCH2003";
    public static final String INVALID_VALUE = "SCH2004";
    public static final String UNKNOWN_TYPE = "SCH2006";
    public static final String CONFLICTING_KEYS = "SCH2007";

    public static final String LITERAL_SECRET = "SEC2101";
    public static final String MISSING_ENV = "SEC2102";
    public static final String MISSING_SECRET_FILE = "SEC2103";
    public static final String PLAIN_HTTP = "SEC2104";
    /** A file a configuration names lies outside its root and the directories the user allows ({@link ReadScope}). */
    public static final String PATH_OUTSIDE_ROOT = "SEC2105";
    /** A file a configuration names is a directory, device, pipe or kernel file. */
    public static final String NOT_REGULAR_FILE = "SEC2106";
    /** An environment variable the user has not allowed configurations to read ({@link ReadScope}). */
    public static final String ENV_NOT_ALLOWED = "SEC2107";
    /** A secret not read because the command runs without credentials ({@code cem plan --no-credentials}). */
    public static final String SECRET_WITHHELD = "SEC2108";
    /** The directory for kept documents ({@code backend.documents.directory}) is a symbolic link. */
    public static final String DOCUMENTS_LINK = "SEC2120";
    /** The directory for kept documents is a file, a device or a pipe. */
    public static final String DOCUMENTS_NOT_DIRECTORY = "SEC2121";

    public static final String UNKNOWN_HOST = "GRF3001";
    public static final String DANGLING_REFERENCE = "GRF3002";
    public static final String CYCLE = "GRF3003";
    public static final String WRONG_HOST_OS = "GRF3004";

    public static final String PORT_POLICY_GATEWAY = "SEM3101";
    public static final String PORT_PERIMETER = "SEM3102";
    public static final String PERIMETER_UNDECLARED = "SEM3103";
    public static final String PORT_BIGIP = "SEM3104";
    public static final String BIGIP_POOL_PORT = "SEM3105";
    public static final String BIGIP_SSL_PROFILE = "SEM3106";
    public static final String NFT_CHAIN_CONFLICT = "SEM3107";
    public static final String NFT_ADDRESS_FAMILY = "SEM3108";
    public static final String GATEWAY_HOST_FIREWALL_PORT = "SEM3109";
    public static final String GATEWAY_SERVER_PORT = "SEM3110";
    public static final String GATEWAY_HOST_FIREWALL_UNDECLARED = "SEM3111";

    public static final String CERT_UNREADABLE = "CRT3201";
    public static final String CERT_WRONG_PASSWORD = "CRT3202";
    public static final String CERT_EXPIRED = "CRT3203";
    public static final String CERT_EXPIRES_SOON = "CRT3204";
    public static final String CERT_NAME_MISMATCH = "CRT3205";
    public static final String CERT_NO_SERVER_AUTH = "CRT3206";
    public static final String CERT_WEAK_KEY = "CRT3207";
    public static final String CERT_ECDSA = "CRT3208";
    public static final String CERT_WEAK_SIGNATURE = "CRT3209";
    public static final String CERT_NO_PRIVATE_KEY = "CRT3210";
    public static final String CERT_INCOMPLETE_CHAIN = "CRT3211";
    public static final String CERT_NOT_YET_VALID = "CRT3212";
    /** An ACME certificate that also names a file, or has no names to request. */
    public static final String ACME_CONFLICT = "CRT3213";
    public static final String ACME_NO_NAMES = "CRT3214";
    /** ACME certificates need encryption at rest: the issued private key is kept in the state backend. */
    public static final String ACME_NEEDS_ENCRYPTION = "CRT3215";

    public static final String BINDING_CERT_OTHER_HOST = "SEM3301";
    public static final String POLICY_NO_TARGETS = "SEM3302";
    public static final String SHARED_HTTPSYS_BINDING = "SEM3303";
    public static final String BINDING_NEEDS_CERT = "SEM3304";
    /** A warning: internet_gateway.statusReporting is an NS setting that cem ignores. */
    public static final String GATEWAY_STATUS_REPORTING = "SEM3305";
    /** Two resources with one identity on one host (see cem.engine.Identities; also checked against the state and across sites). */
    public static final String IDENTITY_COLLISION = "SEM3306";
    /** offline_package.output leads out of the configuration's directory (after links are resolved). */
    public static final String OUTPUT_OUTSIDE_CONFIGURATION = "SEM3307";

    public static final String NO_DIRECTORY = "ENV9001";
    public static final String NO_YAML = "ENV9002";
}
