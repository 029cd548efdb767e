package cem.testkit.hostile;

import java.util.List;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Provide;

/** What every module's hostile-answer harness shares: its properties take {@code @ForAll("mutations")}. */
public abstract class HostileHarness {

    @Provide
    public Arbitrary<List<Mutation>> mutations() {
        return HostileAnswers.mutations();
    }
}
