package io.ferrite.replication;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

@Timeout(10)
class DigestTrailTest
{
    @TempDir
    File dir;

    @Test
    void shouldFindADivergenceThatLaterPositionsHealed() throws IOException
    {
        write("digest-trail-g0-m0.txt", "100 aa 3\n200 bb 4\n300 cc 4\n");
        write("digest-trail-g0-m1.txt", "100 aa 3\n200 b0 4\n300 cc 4\n");
        write("digest-trail-g0-m2.txt", "300 cc 4\n");
        write("digest-trail-g1-m0.txt", "100 ff 1\n");
        final List<String> divergences = new ArrayList<>();
        assertEquals(3, DigestTrail.compare(dir, 0, divergences), "positions seen by two members or more");
        assertEquals(1, divergences.size(), "the differing digest at 200, healed by 300: " + divergences);
        assertTrue(divergences.get(0).startsWith("position 200"), divergences.get(0));
    }

    @Test
    void shouldCompareAMembersRecordsBeforeAndAfterItsRestart() throws IOException
    {
        write("digest-trail-g0-m0.txt", "100 aa 3\n200 bb 4\n100 aa 3\n200 b1 4\n");
        final List<String> divergences = new ArrayList<>();
        assertEquals(2, DigestTrail.compare(dir, 0, divergences));
        assertEquals(1, divergences.size(), "a replay after a restart must reach the same digests: " + divergences);
    }

    @Test
    void shouldIgnoreATornLastLine() throws IOException
    {
        write("digest-trail-g0-m0.txt", "100 aa 3\n200 b");
        write("digest-trail-g0-m1.txt", "100 aa 3\n");
        final List<String> divergences = new ArrayList<>();
        assertEquals(1, DigestTrail.compare(dir, 0, divergences));
        assertEquals(List.of(), divergences);
    }

    private void write(final String name, final String text) throws IOException
    {
        Files.writeString(new File(dir, name).toPath(), text);
    }
}
