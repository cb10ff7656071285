package io.ferrite.bench.engine;

/**
 * JVM flags of every benchmark fork (the same for every implementation, so no JVM is tuned for one of them).
 * <p>
 * Agrona needs {@link #AGRONA_EXPORTS} on Java 17 and {@link #NO_BOUNDS_CHECKS} turns off its bounds checks
 * (only Ferrite uses Agrona buffers). Chronicle Map needs the rest: analytics off and its opens/exports.
 */
final class JvmFlags
{
    static final String AGRONA_EXPORTS = "--add-exports=java.base/jdk.internal.misc=ALL-UNNAMED";
    static final String NO_BOUNDS_CHECKS = "-Dagrona.disable.bounds.checks=true";
    static final String CHRONICLE_ANALYTICS = "-Dchronicle.analytics.disable=true";
    static final String OPENS_LANG = "--add-opens=java.base/java.lang=ALL-UNNAMED";
    static final String OPENS_REFLECT = "--add-opens=java.base/java.lang.reflect=ALL-UNNAMED";
    static final String EXPORTS_NIO = "--add-exports=java.base/sun.nio.ch=ALL-UNNAMED";
    static final String EXPORTS_JAVAC = "--add-exports=jdk.compiler/com.sun.tools.javac.file=ALL-UNNAMED";
    static final String EXPORTS_REF = "--add-exports=java.base/jdk.internal.ref=ALL-UNNAMED";
    static final String HEAP_MIN = "-Xms2g";
    static final String HEAP_MAX = "-Xmx2g";
    static final String GC = "-XX:+UseG1GC";

    private JvmFlags()
    {
    }
}
