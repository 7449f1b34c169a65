/**
 * Issue 11, "Mid-layer pairs": scsi_dma_map()/scsi_dma_unmap() are a map/unmap pair with
 * dma_map_sg()'s rules, but scsi_dma_map() returns the mapped count, 0 for a command without data,
 * or -ENOMEM when the mapping failed (drivers/scsi/scsi_lib_dma.c), and keeps the mapping in the
 * command. Each shape: a near miss that must stay silent and a one-edit mutation that must fire,
 * with the exact range.
 */
import { describe, expect, it } from 'vitest';
import { parseKernelVersion, type KernelVersion } from '../../../core/catalog/version';
import { lintText } from '../../../core/lint';
import { lineOf, messages, mutate } from './support';

const v612 = parseKernelVersion('6.12') as KernelVersion;
const UNCHECKED = 'dma-map-sg-unchecked';
const LEAK = 'dma-mapping-leak';

/** `rule line:column-endLine:endColumn` of every DMA finding (of `rule` only, when given), in order. */
function ranges(text: string, rule?: string): string[] {
  return lintText(text, { kernelVersion: v612 })
    .findings.filter((f) => (rule === undefined ? f.rule.startsWith('dma-') : f.rule === rule))
    .map((f) => `${f.rule} ${f.range.line}:${f.range.column}-${f.range.endLine}:${f.range.endColumn}`);
}

/** The range of the first `needle` in `text`, as `line:column-line:endColumn` (one line). */
function at(text: string, needle: string): string {
  const line = lineOf(text, needle);
  const lineText = text.split('\n')[line - 1] as string;
  const column = lineText.indexOf(needle) + 1;
  return `${line}:${column}-${line}:${column + needle.length}`;
}

/** Shaped like drivers/scsi/ipr.c ipr_build_ioadl(): the count checked, then walked. */
const CHECKED = `#include <scsi/scsi_cmnd.h>

static int demo_build_sg(struct demo_hba *ha, struct scsi_cmnd *cmd, struct demo_sge *hw)
{
	struct scatterlist *sg;
	int nseg, i;

	nseg = scsi_dma_map(cmd);
	if (nseg < 0)
		return -ENOMEM;
	scsi_for_each_sg(cmd, sg, nseg, i) {
		hw[i].addr = cpu_to_le64(sg_dma_address(sg));
		hw[i].len = cpu_to_le32(sg_dma_len(sg));
	}
	return 0;
}
`;

describe('dma-map-sg-unchecked: a scsi_dma_map() count needs a test for a negative value', () => {
  it('near miss: `if (nseg < 0) return -ENOMEM;` before scsi_for_each_sg(): silent', () => {
    expect(ranges(CHECKED)).toEqual([]);
  });
  it('one edit (the test removed): reported at the map', () => {
    const text = mutate(CHECKED, '\tif (nseg < 0)\n\t\treturn -ENOMEM;\n', '');
    expect(ranges(text)).toEqual([`${UNCHECKED} ${at(text, 'scsi_dma_map(cmd)')}`]);
    expect(messages(text, UNCHECKED)).toEqual([
      '`nseg` = scsi_dma_map() is never checked for a negative value before it is used: it returns -ENOMEM when the mapping failed ("Returns the number of sg lists actually used, zero if the sg lists is NULL, or -ENOMEM if the mapping failed"), and the command\'s scatterlist then holds no DMA addresses. Test `nseg < 0`.',
    ]);
  });
  it('the count kept unsigned: the advice is a signed variable, not a test that is never true', () => {
    const text = mutate(mutate(CHECKED, '\tif (nseg < 0)\n\t\treturn -ENOMEM;\n', ''), 'int nseg', 'unsigned int nseg');
    expect(messages(text, UNCHECKED)[0]).toMatch(
      /Keep it in a signed int and test it for < 0 \(`nseg` is unsigned, so `nseg < 0` is never true\)\.$/,
    );
  });
  it('one edit (`!nseg` for `nseg < 0`): tested only for 0 lets -ENOMEM through, reported at the map', () => {
    const text = mutate(CHECKED, 'if (nseg < 0)', 'if (!nseg)');
    expect(ranges(text)).toEqual([`${UNCHECKED} ${at(text, 'scsi_dma_map(cmd)')}`]);
    expect(messages(text, UNCHECKED)[0]).toMatch(/^`nseg` = scsi_dma_map\(\) is tested only for 0 \(`!nseg`\)/);
  });
  it('one edit (`nseg == 0` for `nseg < 0`): reported', () => {
    const text = mutate(CHECKED, 'if (nseg < 0)', 'if (nseg == 0)');
    expect(ranges(text)).toEqual([`${UNCHECKED} ${at(text, 'scsi_dma_map(cmd)')}`]);
  });
  it('every form of a negative test is a check: silent', () => {
    for (const test of [
      'if (nseg <= 0)',
      'if (unlikely(nseg < 0))',
      'if (nseg != 0 && nseg < 0)',
      'if (nseg > ha->max_sg || nseg < 0)',
      'if (0 > nseg)',
      'if (nseg == -ENOMEM)',
    ])
      expect([test, ranges(mutate(CHECKED, 'if (nseg < 0)', test), UNCHECKED)]).toEqual([test, []]);
    // BUG_ON(nseg < 0) (megaraid_sas_base.c, stex.c) in place of the if.
    const bug = mutate(CHECKED, '\tif (nseg < 0)\n\t\treturn -ENOMEM;\n', '\tBUG_ON(nseg < 0);\n');
    expect(ranges(bug)).toEqual([]);
  });
  it('a count compared with 1 (`nsge == 1`, myrs.c) is no test for a negative value: reported', () => {
    const text = mutate(CHECKED, 'if (nseg < 0)', 'if (nseg == 1)');
    // (and the error return taken with one segment mapped leaks it)
    expect(ranges(text)).toEqual([
      `${UNCHECKED} ${at(text, 'scsi_dma_map(cmd)')}`,
      `${LEAK} ${at(text, 'return -ENOMEM;')}`,
    ]);
  });
});

/** Shaped like drivers/scsi/ncr53c8xx.c __map_scsi_sg_data(): the count goes back to the caller. */
const RETURNED = `#include <scsi/scsi_cmnd.h>

static int demo_map_data(struct demo_priv *priv, struct scsi_cmnd *cmd)
{
	int use_sg;

	use_sg = scsi_dma_map(cmd);
	if (!use_sg)
		return 0;
	priv->data_mapped = 2;
	return use_sg;
}
`;

describe("dma-map-sg-unchecked: a scsi_dma_map() count returned as it is is the caller's to test", () => {
  it('near miss: `return use_sg;` (ncr53c8xx): silent', () => {
    expect(ranges(RETURNED)).toEqual([]);
  });
  it('one edit (the count no longer returned): `!use_sg` alone is reported', () => {
    const text = mutate(RETURNED, 'return use_sg;', 'return 0;');
    expect(ranges(text)).toEqual([`${UNCHECKED} ${at(text, 'scsi_dma_map(cmd)')}`]);
  });
});

/**
 * Shaped like drivers/scsi/bnx2i/bnx2i_iscsi.c bnx2i_map_scsi_sg(): what a loop over the count
 * counted is returned. For dma_map_sg() a failed map returns 0 through it and the caller tests
 * that; for scsi_dma_map() the loop runs zero times on -ENOMEM and 0 means "no data".
 */
const COUNTED = `#include <scsi/scsi_cmnd.h>

static int demo_map_bds(struct demo_cmd *cmd, struct scsi_cmnd *sc)
{
	struct demo_bd *bd = cmd->bd_tbl;
	struct scatterlist *sg;
	int bd_count = 0;
	int sg_count;
	int i;

	sg_count = scsi_dma_map(sc);
	scsi_for_each_sg(sc, sg, sg_count, i) {
		bd[bd_count].addr = sg_dma_address(sg);
		bd_count++;
	}
	return bd_count;
}
`;

describe("dma-map-sg-unchecked: a count a loop over scsi_dma_map()'s result counted (bnx2i)", () => {
  it('the loop count returned hides -ENOMEM as "no data": reported', () => {
    expect(ranges(COUNTED)).toEqual([`${UNCHECKED} ${at(COUNTED, 'scsi_dma_map(sc)')}`]);
  });
  it('one edit (`if (sg_count < 0) return sg_count;`): silent', () => {
    const text = mutate(COUNTED, '\tscsi_for_each_sg', '\tif (sg_count < 0)\n\t\treturn sg_count;\n\tscsi_for_each_sg');
    expect(ranges(text)).toEqual([]);
  });
  it('the same shape with dma_map_sg() (0 on failure reaches the caller) stays silent, as before', () => {
    const text = mutate(
      COUNTED,
      'scsi_dma_map(sc)',
      'dma_map_sg(cmd->dev, scsi_sglist(sc), scsi_sg_count(sc), DMA_TO_DEVICE)',
    );
    expect(ranges(text)).toEqual([]);
  });
});

/** Shaped like drivers/scsi/esp_scsi.c esp_map_dma(): the count stored in the command's private data. */
const STORED = `#include <scsi/scsi_cmnd.h>

static void demo_map_dma(struct demo_cmd_priv *spriv, struct scsi_cmnd *cmd)
{
	struct scatterlist *s;
	int i, total = 0;

	spriv->num_sg = scsi_dma_map(cmd);
	if (spriv->num_sg < 0)
		return;
	scsi_for_each_sg(cmd, s, spriv->num_sg, i)
		total += sg_dma_len(s);
	spriv->tot_residue = total;
}
`;

describe('dma-map-sg-unchecked: a scsi_dma_map() count stored in a descriptor', () => {
  it('near miss: the field tested for a negative value: silent', () => {
    expect(ranges(STORED)).toEqual([]);
  });
  it('one edit (the test removed): reported at the map', () => {
    const text = mutate(STORED, '\tif (spriv->num_sg < 0)\n\t\treturn;\n', '');
    expect(ranges(text)).toEqual([`${UNCHECKED} ${at(text, 'scsi_dma_map(cmd)')}`]);
    expect(messages(text, UNCHECKED)[0]).toMatch(/^`spriv->num_sg` = scsi_dma_map\(\) is never checked/);
  });
  it('one edit (the result ignored): reported as ignored', () => {
    const text = mutate(
      STORED,
      '\tspriv->num_sg = scsi_dma_map(cmd);\n\tif (spriv->num_sg < 0)\n\t\treturn;\n',
      '\tscsi_dma_map(cmd);\n',
    );
    expect(ranges(text)).toEqual([`${UNCHECKED} ${at(text, 'scsi_dma_map(cmd)')}`]);
    expect(messages(text, UNCHECKED)[0]).toMatch(/^The result of scsi_dma_map\(\) is ignored: it is -ENOMEM/);
  });
});

/** dma_map_sg()'s rule is unchanged: a `< 0` test alone still misses its failure (0). */
const SG_SIGN_ONLY = `#include <linux/dma-mapping.h>

static int demo_sg(struct device *dev, struct scatterlist *sgl, int nents, struct demo_sge *hw)
{
	struct scatterlist *sg;
	int n, i;

	n = dma_map_sg(dev, sgl, nents, DMA_TO_DEVICE);
	if (n < 0)
		return -EIO;
	for_each_sg(sgl, sg, n, i)
		hw[i].addr = sg_dma_address(sg);
	return 0;
}
`;

describe('dma-map-sg-unchecked: dma_map_sg() keeps its own rule', () => {
  it('`n < 0` after dma_map_sg() is reported at the test', () => {
    expect(ranges(SG_SIGN_ONLY)).toEqual([`${UNCHECKED} ${at(SG_SIGN_ONLY, 'n < 0')}`]);
  });
  it('one edit (`!n`): silent', () => {
    expect(ranges(mutate(SG_SIGN_ONLY, 'if (n < 0)', 'if (!n)'))).toEqual([]);
  });
});

/** Shaped like drivers/scsi/mpi3mr/mpi3mr_os.c mpi3mr_prepare_sg_scmd(): a limit checked after the map. */
const UNMAPPED = `#include <scsi/scsi_cmnd.h>

static int demo_prepare_sg(struct demo_hba *ha, struct scsi_cmnd *scmd, struct demo_sge *hw)
{
	struct scatterlist *sg;
	int sges_left, i;

	sges_left = scsi_dma_map(scmd);
	if (sges_left < 0)
		return -ENOMEM;
	if (sges_left > ha->max_sgl_entries) {
		sdev_printk(KERN_ERR, scmd->device, "unsupported sge count %d!\\n", sges_left);
		scsi_dma_unmap(scmd);
		return -ENOMEM;
	}
	scsi_for_each_sg(scmd, sg, sges_left, i)
		hw[i].addr = sg_dma_address(sg);
	return 0;
}
`;

describe('dma-mapping-leak: scsi_dma_map() on an error return', () => {
  it('near miss: scsi_dma_unmap(scmd) before the error return; the success return leaves it with the command: silent', () => {
    expect(ranges(UNMAPPED)).toEqual([]);
  });
  it('one edit (no unmap on the error return): reported at that return', () => {
    const text = mutate(UNMAPPED, '\t\tscsi_dma_unmap(scmd);\n', '');
    const ret = lineOf(text, '\t\treturn -ENOMEM;\n\t}');
    expect(ranges(text)).toEqual([`${LEAK} ${ret}:3-${ret}:18`]);
    expect(messages(text, LEAK)).toEqual([
      'The mapping of `scmd` from scsi_dma_map() (line 8) is neither unmapped nor handed off on this path before `return -ENOMEM`, which gives the command back unaccepted: nothing unmaps it (a requeued command is mapped again), and it keeps its IOVA space (and any swiotlb bounce buffer). Call scsi_dma_unmap() first.',
    ]);
  });
  it('one edit (a SCSI_MLQUEUE_HOST_BUSY return instead): reported too', () => {
    const text = mutate(
      UNMAPPED,
      '\t\tscsi_dma_unmap(scmd);\n\t\treturn -ENOMEM;',
      '\t\treturn SCSI_MLQUEUE_HOST_BUSY;',
    );
    const ret = lineOf(text, 'return SCSI_MLQUEUE_HOST_BUSY;');
    expect(ranges(text)).toEqual([`${LEAK} ${ret}:3-${ret}:33`]);
  });
  it("the command's accessors take it nowhere: an error return after scsi_bufflen()/scsi_cmd_priv() is reported", () => {
    const text = mutate(
      UNMAPPED,
      '\t\tscsi_dma_unmap(scmd);\n\t\treturn -ENOMEM;\n\t}',
      '\t\tscsi_dma_unmap(scmd);\n\t\treturn -ENOMEM;\n\t}\n\tif (scsi_bufflen(scmd) > scsi_cmd_priv(scmd)->max_len)\n\t\treturn -EINVAL;',
    );
    expect(ranges(text)).toEqual([`${LEAK} ${at(text, 'return -EINVAL;')}`]);
  });
  it('one edit (a success return instead): the command keeps the mapping for its completion, silent', () => {
    const text = mutate(UNMAPPED, '\t\tscsi_dma_unmap(scmd);\n\t\treturn -ENOMEM;', '\t\treturn 0;');
    expect(ranges(text)).toEqual([]);
  });
  it('one edit (the command handed to the hardware queue before the error): silent', () => {
    const text = mutate(
      UNMAPPED,
      '\t\tscsi_dma_unmap(scmd);\n\t\treturn -ENOMEM;',
      '\t\tdemo_queue_cmd(ha, scmd);\n\t\treturn -ENOMEM;',
    );
    expect(ranges(text)).toEqual([]);
  });
  it('the error return after a scsi_for_each_sg() loop: the macro reads the command and the count, reported', () => {
    const text = mutate(
      UNMAPPED,
      '\t\thw[i].addr = sg_dma_address(sg);\n\treturn 0;',
      '\t\thw[i].addr = sg_dma_address(sg);\n\tif (demo_ring_full(ha))\n\t\treturn -EBUSY;\n\treturn 0;',
    );
    const ret = lineOf(text, 'return -EBUSY;');
    expect(ranges(text)).toEqual([`${LEAK} ${ret}:3-${ret}:17`]);
  });
});

/** The count tested after the scsi_for_each_sg() loop that walked it. */
const TESTED_AFTER = `#include <scsi/scsi_cmnd.h>

static int demo_fill(struct demo_hba *ha, struct scsi_cmnd *cmd, struct demo_sge *hw)
{
	struct scatterlist *sg;
	int nseg, i;

	nseg = scsi_dma_map(cmd);
	scsi_for_each_sg(cmd, sg, nseg, i)
		hw[i].addr = sg_dma_address(sg);
	if (nseg < 0)
		return -ENOMEM;
	return 0;
}
`;

describe('scsi_for_each_sg(cmd, sg, nseg, i) reads the count: walking it is no test of it', () => {
  it('near miss: `nseg < 0` after the loop: no finding (the failed map returns, nothing held)', () => {
    expect(ranges(TESTED_AFTER)).toEqual([]);
  });
  it('one edit (the test removed): the count the loop walked is reported unchecked', () => {
    const text = mutate(TESTED_AFTER, '\tif (nseg < 0)\n\t\treturn -ENOMEM;\n', '');
    expect(ranges(text)).toEqual([`${UNCHECKED} ${at(text, 'scsi_dma_map(cmd)')}`]);
  });
});

/** An unmap under a flag the path cannot relate to the map (`mapped = nseg > 0;`), in a shared epilogue. */
const FLAGGED = `#include <scsi/scsi_cmnd.h>

static int demo_queue(struct demo_hba *ha, struct scsi_cmnd *cmd)
{
	int nseg;
	bool mapped;

	nseg = scsi_dma_map(cmd);
	if (nseg < 0)
		return SCSI_MLQUEUE_HOST_BUSY;
	mapped = nseg > 0;
	if (demo_ring_full(ha))
		goto err;
	demo_ring_add(ha, nseg);
	return 0;
err:
	if (mapped)
		scsi_dma_unmap(cmd);
	return SCSI_MLQUEUE_HOST_BUSY;
}
`;

describe('dma-mapping-leak: scsi_dma_unmap() under a test makes the mapping maybe released', () => {
  it('near miss: `if (mapped) scsi_dma_unmap(cmd);` before the busy return: silent', () => {
    expect(ranges(FLAGGED)).toEqual([]);
  });
  it('one edit (the unmap only on an arm that returns on its own): the path stepping around it still holds the mapping', () => {
    const text = mutate(
      FLAGGED,
      '\tif (mapped)\n\t\tscsi_dma_unmap(cmd);\n\treturn SCSI_MLQUEUE_HOST_BUSY;',
      '\tif (demo_fatal(ha)) {\n\t\tscsi_dma_unmap(cmd);\n\t\treturn -EIO;\n\t}\n\treturn SCSI_MLQUEUE_HOST_BUSY;',
    );
    const ret = lineOf(text, '\treturn SCSI_MLQUEUE_HOST_BUSY;\n}');
    expect(ranges(text)).toEqual([`${LEAK} ${ret}:2-${ret}:32`]);
  });
});

/** A helper whose caller in the file unmaps the command when the helper fails (the qla/lpfc shape). */
const CALLER_UNMAPS = `#include <scsi/scsi_cmnd.h>

static int demo_build(struct demo_hba *ha, struct scsi_cmnd *cmd)
{
	int nseg;

	nseg = scsi_dma_map(cmd);
	if (nseg < 0)
		return -ENOMEM;
	if (nseg > ha->max_sg)
		return -EINVAL;
	ha->req->nseg = nseg;
	return 0;
}

static int demo_queuecommand(struct Scsi_Host *shost, struct scsi_cmnd *cmd)
{
	struct demo_hba *ha = shost_priv(shost);

	if (demo_build(ha, cmd)) {
		scsi_dma_unmap(cmd);
		return SCSI_MLQUEUE_HOST_BUSY;
	}
	return 0;
}
`;

describe('dma-mapping-leak: a caller in the file that unmaps the command', () => {
  it("near miss: the caller undoes the helper's errors with scsi_dma_unmap(): silent", () => {
    expect(ranges(CALLER_UNMAPS)).toEqual([]);
  });
  it("one edit (the caller does not unmap): the helper's error return is reported", () => {
    const text = mutate(CALLER_UNMAPS, '\t\tscsi_dma_unmap(cmd);\n', '');
    const ret = lineOf(text, 'return -EINVAL;');
    expect(ranges(text)).toEqual([`${LEAK} ${ret}:3-${ret}:18`]);
  });
});
