package cem.windows;

import cem.lab.Certificates;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.UUID;

/** A small PFX made for one test, with a password no other test uses, so that finding either anywhere is a leak. */
record LabPfx(byte[] bytes, String password, String thumbprint) {

    static LabPfx make(Path dir) throws Exception {
        Certificates.Issued issued = Certificates.selfSigned("CN=www.sealed.example").dns("www.sealed.example").build();
        String password = "pfx-" + UUID.randomUUID();
        Path file = dir.resolve("sealed-" + UUID.randomUUID() + ".pfx");
        issued.writePfx(file, password, false);
        byte[] bytes = Files.readAllBytes(file);
        Files.delete(file);
        return new LabPfx(bytes, password, Sealing.thumbprint(issued.certificate()));
    }

    String base64() {
        return Base64.getEncoder().encodeToString(bytes);
    }
}
