package dev.paperpod.schemas.browser;

import dev.paperpod.schemas.job.JobKind;
import dev.paperpod.schemas.job.JobKindContract;

/** The browser kind's contract: load a page in a warm browser and give what was asked of it (DESIGN §6). */
public final class BrowserKind implements JobKindContract {

    public static final JobKind KIND = new JobKind("browser");

    @Override
    public JobKind kind() {
        return KIND;
    }

    @Override
    public Class<BrowserSpec> specType() {
        return BrowserSpec.class;
    }

    @Override
    public Class<BrowserResult> resultType() {
        return BrowserResult.class;
    }
}
