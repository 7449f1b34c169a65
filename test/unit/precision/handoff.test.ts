/**
 * Issue 11, dma-mapping-leak: mappings handed off on the flagged path. Each shape comes from a
 * wrong finding of the whole-tree dev reading (docs/precision-dev-log.md, "dma-mapping-leak, dev
 * reading"): a near miss that must stay silent, and a one-edit mutation that must still fire.
 */
import { describe, expect, it } from 'vitest';
import { findings, lineOf, mutate } from './support';

const LEAK = 'dma-mapping-leak';

/** Shaped like drivers/net/ethernet/chelsio/cxgb4/sge.c refill_fl() (and macb's gem_rx_refill). */
const MARKED = `#include <linux/dma-mapping.h>

static int demo_refill(struct device *dev, struct demo_q *q, int n)
{
	struct page *pg;
	dma_addr_t mapping;
	int cred = q->avail;

	while (n--) {
		pg = alloc_page(GFP_ATOMIC);
		if (!pg)
			break;
		mapping = dma_map_page(dev, pg, 0, PAGE_SIZE, DMA_FROM_DEVICE);
		if (dma_mapping_error(dev, mapping)) {
			put_page(pg);
			goto out;
		}
		mapping |= DEMO_LARGE_BUF;
		demo_set_desc(q, pg, mapping);
		q->avail++;
	}
out:
	return q->avail - cred;
}
`;

describe('a handle marked with flag bits is the same mapping (cxgb4 refill_fl, macb gem_rx_refill)', () => {
  it('near miss: `mapping |= FLAG` then handed to the descriptor setter: silent', () => {
    expect(findings(MARKED, LEAK)).toEqual([]);
  });
  it('one edit (the marked handle is not handed on): the mapping leaks at the return', () => {
    const text = mutate(MARKED, '\t\tdemo_set_desc(q, pg, mapping);\n', '');
    expect(findings(text, LEAK)).toEqual([`${LEAK} ${lineOf(text, 'return q->avail - cred')}`]);
  });
});

/**
 * Shaped like drivers/net/ethernet/agere/et131x.c nic_send_packet() and ipu6_dma_alloc(): the
 * handle goes into a descriptor (through lower_32_bits()), and the function's own unmap reads it
 * back from there.
 */
const READ_BACK = `#include <linux/dma-mapping.h>

static int demo_send(struct device *dev, struct demo_tx *desc, void *data, int len)
{
	dma_addr_t dma_addr;

	dma_addr = dma_map_single(dev, data, len, DMA_TO_DEVICE);
	if (dma_mapping_error(dev, dma_addr))
		return -ENOMEM;
	desc[0].addr_lo = lower_32_bits(dma_addr);
	if (demo_kick(dev))
		return -EIO;
	demo_wait(dev);
	dma_addr = desc[0].addr_lo;
	dma_unmap_single(dev, dma_addr, len, DMA_TO_DEVICE);
	return 0;
}
`;

describe('an unmap of a handle read back from where it was stored (et131x, ipu6)', () => {
  it('near miss: the descriptor holds the mapping, the function unmaps it from there: silent', () => {
    expect(findings(READ_BACK, LEAK)).toEqual([]);
  });
  it('one edit (the unmap is of the variable itself): the error return leaks it', () => {
    const text = mutate(READ_BACK, '\tdma_addr = desc[0].addr_lo;\n', '');
    expect(findings(text, LEAK)).toEqual([`${LEAK} ${lineOf(text, 'return -EIO;')}`]);
  });
});

/** Shaped like drivers/net/ethernet/ti/netcp_core.c netcp_tx_map_skb(). */
const REMAPPED = `#include <linux/dma-mapping.h>

static struct demo_desc *demo_map_skb(struct device *dev, struct demo_pool *pool, void *data, int len, struct page *page)
{
	struct demo_desc *desc, *ndesc;
	dma_addr_t dma_addr;

	dma_addr = dma_map_single(dev, data, len, DMA_TO_DEVICE);
	if (dma_mapping_error(dev, dma_addr))
		return NULL;
	desc = demo_desc_get(pool);
	if (!desc) {
		dma_unmap_single(dev, dma_addr, len, DMA_TO_DEVICE);
		return NULL;
	}
	demo_set_pkt_info(dma_addr, len, desc);
	dma_addr = dma_map_page(dev, page, 0, PAGE_SIZE, DMA_TO_DEVICE);
	if (dma_mapping_error(dev, dma_addr))
		goto free_descs;
	ndesc = demo_desc_get(pool);
	if (!ndesc) {
		dma_unmap_page(dev, dma_addr, PAGE_SIZE, DMA_TO_DEVICE);
		goto free_descs;
	}
	demo_set_pkt_info(dma_addr, PAGE_SIZE, ndesc);
	demo_link(desc, ndesc);
	return desc;

free_descs:
	demo_free_desc_chain(pool, desc);
	return NULL;
}
`;

describe('a later unmap of the variable after it was mapped again is not an unmap of the first mapping (netcp)', () => {
  it('near miss: the first mapping went into the descriptor the error path frees: silent', () => {
    expect(findings(REMAPPED, LEAK)).toEqual([]);
  });
  it('one edit (the second map goes into another variable, so the later unmap is of the first): reported', () => {
    let text = mutate(REMAPPED, '\tdma_addr = dma_map_page(', '\tdma_addr2 = dma_map_page(');
    text = mutate(
      text,
      'if (dma_mapping_error(dev, dma_addr))\n\t\tgoto',
      'if (dma_mapping_error(dev, dma_addr2))\n\t\tgoto',
    );
    expect(findings(text, LEAK)).toEqual([`${LEAK} ${lineOf(text, 'return NULL;\n}')}`]);
  });
});

/** Shaped like drivers/hwtracing/intel_th/msu.c __msc_buffer_win_alloc(). */
const SG_SET_BUF = `#include <linux/dma-mapping.h>

static int demo_win_alloc(struct device *dev, struct demo_win *win, unsigned int nr_segs)
{
	struct scatterlist *sg_ptr;
	void *block;
	int i, ret;

	ret = sg_alloc_table(win->sgt, nr_segs, GFP_KERNEL);
	if (ret)
		return -ENOMEM;

	for_each_sg(win->sgt->sgl, sg_ptr, nr_segs, i) {
		block = dma_alloc_coherent(dev, PAGE_SIZE, &sg_dma_address(sg_ptr), GFP_KERNEL);
		if (!block)
			return -ENOMEM;
		sg_set_buf(sg_ptr, block, PAGE_SIZE);
	}
	return nr_segs;
}
`;

describe('sg_set_buf() keeps a coherent block in the caller-owned scatterlist (intel_th msc windows)', () => {
  it('near miss: each block is set into the window table: silent', () => {
    expect(findings(SG_SET_BUF, LEAK)).toEqual([]);
  });
  it('one edit (the block goes into a list of this function’s own): the block leaks at the return', () => {
    let text = mutate(SG_SET_BUF, 'sg_set_buf(sg_ptr, block', 'sg_set_buf(&local_sg, block');
    text = mutate(
      text,
      '\tstruct scatterlist *sg_ptr;\n',
      '\tstruct scatterlist *sg_ptr;\n\tstruct scatterlist local_sg;\n',
    );
    expect(findings(text, LEAK)).toEqual([`${LEAK} ${lineOf(text, 'return nr_segs;')}`]);
  });
});

/** Shaped like drivers/net/wireless/intel/iwlegacy/4965-mac.c il4965_tx_skb(). */
const POSITIVE_THEN_NONZERO = `#include <linux/dma-mapping.h>

static int demo_tx(struct device *dev, struct demo_txq *txq, void *hdr, int hlen, void *data, int secondlen)
{
	dma_addr_t txcmd_phys, phys_addr;

	txcmd_phys = dma_map_single(dev, hdr, hlen, DMA_BIDIRECTIONAL);
	if (dma_mapping_error(dev, txcmd_phys))
		return -1;
	if (secondlen > 0) {
		phys_addr = dma_map_single(dev, data, secondlen, DMA_TO_DEVICE);
		if (dma_mapping_error(dev, phys_addr)) {
			dma_unmap_single(dev, txcmd_phys, hlen, DMA_BIDIRECTIONAL);
			return -1;
		}
	}
	demo_attach(txq, txcmd_phys, hlen);
	if (secondlen)
		demo_attach(txq, phys_addr, secondlen);
	return 0;
}
`;

describe('`x > 0` taken true decides a later `if (x)` (class 4: il4965_tx_skb)', () => {
  it('near miss: the second mapping exists only when secondlen > 0, and then it is attached: silent', () => {
    expect(findings(POSITIVE_THEN_NONZERO, LEAK)).toEqual([]);
  });
  it('one edit (the attach tests another variable): the second mapping leaks at the return', () => {
    const text = mutate(POSITIVE_THEN_NONZERO, 'if (secondlen)\n', 'if (hlen > 64)\n');
    expect(findings(text, LEAK)).toEqual([`${LEAK} ${lineOf(text, 'return 0;')}`]);
  });
});

/** Shaped like drivers/net/ethernet/neterion/s2io.c init_shared_mem(). */
const BOUND_BREAK = `#include <linux/dma-mapping.h>

static int demo_init_mem(struct device *dev, struct demo_fifo *fifo, int page_num, int per_page)
{
	int j;

	for (j = 0; j < page_num; j++) {
		int k = 0;
		dma_addr_t tmp_p;
		void *tmp_v;

		tmp_v = dma_alloc_coherent(dev, PAGE_SIZE, &tmp_p, GFP_KERNEL);
		if (!tmp_v)
			return -ENOMEM;
		while (k < per_page) {
			int l = (j * per_page) + k;

			if (l == fifo->len)
				break;
			fifo->list[l].virt = tmp_v + (k * 64);
			fifo->list[l].phys = tmp_p + (k * 64);
			k++;
		}
	}
	fifo->extra = kcalloc(fifo->len, sizeof(u64), GFP_KERNEL);
	if (!fifo->extra)
		return -ENOMEM;
	return 0;
}
`;

describe('a break out of the storing loop on its first round is like a loop that did not run (s2io)', () => {
  it('near miss: the inner loop would store the page; breaking out before it is not a leak', () => {
    expect(findings(BOUND_BREAK, LEAK)).toEqual([]);
  });
  it('one edit (the bound check returns instead of breaking out): the page leaks there', () => {
    const text = mutate(BOUND_BREAK, '\t\t\t\tbreak;\n', '\t\t\t\treturn -EINVAL;\n');
    expect(findings(text, LEAK)).toEqual([`${LEAK} ${lineOf(text, 'return -EINVAL;')}`]);
  });
});

/** Shaped like drivers/scsi/3w-9xxx.c twa_allocate_memory() and its callers. */
const SWITCH_ON_PARAM = `#include <linux/dma-mapping.h>

static int demo_allocate_memory(struct demo_dev *tw_dev, int size, int which)
{
	int i;
	dma_addr_t dma_handle;
	unsigned long *cpu_addr;
	int retval = 1;

	cpu_addr = dma_alloc_coherent(&tw_dev->pdev->dev, size * 16, &dma_handle, GFP_KERNEL);
	if (!cpu_addr)
		goto out;

	for (i = 0; i < 16; i++) {
		switch (which) {
		case 0:
			tw_dev->command_phys[i] = dma_handle + (i * size);
			tw_dev->command_virt[i] = (unsigned char *)cpu_addr + (i * size);
			break;
		case 1:
			tw_dev->generic_phys[i] = dma_handle + (i * size);
			tw_dev->generic_virt[i] = (unsigned char *)cpu_addr + (i * size);
			break;
		}
	}
	retval = 0;
out:
	return retval;
}

static int demo_init(struct demo_dev *tw_dev)
{
	/* demo_allocate_memory(tw_dev, 8, 2) is never called */
	if (demo_allocate_memory(tw_dev, 64, 0))
		return -ENOMEM;
	if (demo_allocate_memory(tw_dev, 512, 1))
		return -ENOMEM;
	return 0;
}
`;

describe('a switch on a parameter that every caller passes a handled constant for (3w-9xxx, 3w-sas, 3w-xxxx)', () => {
  it('near miss: no call passes a value without a case: the fall-through is no path', () => {
    expect(findings(SWITCH_ON_PARAM, LEAK)).toEqual([]);
  });
  it('one edit (a caller passes 2, which no case handles): the memory leaks on the fall-through', () => {
    const text = mutate(
      SWITCH_ON_PARAM,
      'demo_allocate_memory(tw_dev, 512, 1)',
      'demo_allocate_memory(tw_dev, 512, 2)',
    );
    expect(findings(text, LEAK)).toEqual([`${LEAK} ${lineOf(text, 'return retval;')}`]);
  });
});

/** Shaped like drivers/scsi/hpsa.c hpsa_message(). */
const DELIBERATE = `#include <linux/dma-mapping.h>

static int demo_message(struct pci_dev *pdev, void __iomem *vaddr)
{
	struct demo_cmd *cmd;
	dma_addr_t paddr64;
	int i;

	cmd = dma_alloc_coherent(&pdev->dev, sizeof(*cmd), &paddr64, GFP_KERNEL);
	if (cmd == NULL)
		return -ENOMEM;
	writel(lower_32_bits(paddr64), vaddr + 0x40);
	for (i = 0; i < 10; i++) {
		if (readl(vaddr + 0x44) == lower_32_bits(paddr64))
			break;
		msleep(10);
	}
	/* we leak the DMA buffer here ... no choice since the controller could
	 *  still complete the command.
	 */
	if (i == 10)
		return -ETIMEDOUT;
	dma_free_coherent(&pdev->dev, sizeof(*cmd), cmd, paddr64);
	return 0;
}
`;

describe('a leak the author says is deliberate (hpsa_message)', () => {
  it('near miss: "we leak the DMA buffer here ... no choice": silent', () => {
    expect(findings(DELIBERATE, LEAK)).toEqual([]);
  });
  it('one edit (the comment says the code must not leak): reported at the timeout return', () => {
    const text = mutate(DELIBERATE, 'we leak the DMA buffer here', 'do not leak the DMA buffer here');
    expect(findings(text, LEAK)).toEqual([`${LEAK} ${lineOf(text, 'return -ETIMEDOUT;')}`]);
  });
});

/** Shaped like drivers/scsi/bnx2fc/bnx2fc_io.c bnx2fc_map_sg(); its caller turns 0 into -ENOMEM. */
const COUNT_RETURNED = `#include <linux/dma-mapping.h>

static int demo_map_sg(struct device *dev, struct scsi_cmnd *sc, struct demo_bd *bd)
{
	struct scatterlist *sg;
	int sg_count = 0;
	int bd_count = 0;
	int i;

	sg_count = dma_map_sg(dev, scsi_sglist(sc), scsi_sg_count(sc), sc->sc_data_direction);
	scsi_for_each_sg(sc, sg, sg_count, i) {
		bd[bd_count].addr = sg_dma_address(sg);
		bd[bd_count].len = sg_dma_len(sg);
		bd_count++;
	}
	return bd_count;
}
`;

describe('a dma_map_sg() count returned to the caller is the caller’s to check (bnx2fc_map_sg)', () => {
  const SG = 'dma-map-sg-unchecked';
  it('near miss: the function returns what the loop over the count filled (0 on failure): silent', () => {
    expect(findings(COUNT_RETURNED, SG)).toEqual([]);
  });
  it('near miss: the count itself is returned: silent', () => {
    expect(findings(mutate(COUNT_RETURNED, 'return bd_count;', 'return sg_count;'), SG)).toEqual([]);
  });
  it('one edit (the variable is reused for the status, as spi-mxs does): reported at the map', () => {
    const text = mutate(COUNT_RETURNED, 'return bd_count;', 'sg_count = 0;\n\treturn sg_count;');
    expect(findings(text, SG)).toEqual([`${SG} ${lineOf(text, 'dma_map_sg(')}`]);
  });
  it('one edit (it returns a fixed count instead): reported at the map', () => {
    const text = mutate(COUNT_RETURNED, 'return bd_count;', 'return scsi_sg_count(sc);');
    expect(findings(text, SG)).toEqual([`${SG} ${lineOf(text, 'dma_map_sg(')}`]);
  });
});

/** Shaped like drivers/misc/bcm-vk/bcm_vk_sg.c bcm_vk_dma_alloc(): contiguous pages share an entry. */
const MERGED = `#include <linux/dma-mapping.h>

static int demo_sg_alloc(struct device *dev, struct demo_dma *dma, struct demo_ent *ent)
{
	dma_addr_t sg_addr, addr;
	u32 transfer_size;
	int i;

	sg_addr = dma_map_page(dev, dma->pages[0], 0, PAGE_SIZE, DMA_TO_DEVICE);
	if (dma_mapping_error(dev, sg_addr))
		return -EIO;
	transfer_size = PAGE_SIZE;
	for (i = 1; i < dma->nr_pages; i++) {
		addr = dma_map_page(dev, dma->pages[i], 0, PAGE_SIZE, DMA_TO_DEVICE);
		if (dma_mapping_error(dev, addr))
			return -EIO;
		if (addr == sg_addr + transfer_size) {
			transfer_size += PAGE_SIZE;
		} else {
			ent->size = transfer_size;
			put_unaligned(sg_addr, &ent->address);
			ent++;
			sg_addr = addr;
			transfer_size = PAGE_SIZE;
		}
	}
	ent->size = transfer_size;
	put_unaligned(sg_addr, &ent->address);
	return 0;
}
`;

describe('a handle copied into a local that goes into the list (bcm_vk_dma_alloc)', () => {
  it('near miss: a contiguous page is merged into the entry the copy starts: silent on success', () => {
    // The first page leaks when the second one's map fails: that one is real, and stays.
    expect(findings(MERGED, LEAK)).toEqual([`${LEAK} ${lineOf(MERGED, '\t\t\treturn -EIO;')}`]);
  });
  it('one edit (the copy is never stored): the merged mapping leaks at the success return', () => {
    const text = mutate(MERGED, '\tput_unaligned(sg_addr, &ent->address);\n\treturn 0;', '\treturn 0;');
    expect(findings(text, LEAK)).toContain(`${LEAK} ${lineOf(text, 'return 0;')}`);
  });
});

/** Shaped like drivers/iommu/exynos-iommu.c alloc_lv2entry(). */
const PUBLISHED = `#include <linux/dma-mapping.h>

static u32 *demo_alloc_lv2entry(struct device *dma_dev, u32 *sent, u32 iova)
{
	dma_addr_t handle;
	u32 *pent;

	pent = kmem_cache_zalloc(demo_cache, GFP_ATOMIC);
	if (!pent)
		return ERR_PTR(-ENOMEM);
	demo_set_pte(sent, demo_mk_lv1ent_page(virt_to_phys(pent)));
	handle = dma_map_single(dma_dev, pent, 1024, DMA_TO_DEVICE);
	if (dma_mapping_error(dma_dev, handle)) {
		kmem_cache_free(demo_cache, pent);
		return ERR_PTR(-EADDRINUSE);
	}
	return demo_page_entry(sent, iova);
}
`;

describe('a mapped buffer published into the caller’s table (exynos-iommu alloc_lv2entry)', () => {
  it('near miss: the table holds the buffer; its owner unmaps it from there: silent', () => {
    expect(findings(PUBLISHED, LEAK)).toEqual([]);
  });
  it('one edit (the buffer is not published): the mapping leaks at the return', () => {
    const text = mutate(PUBLISHED, '\tdemo_set_pte(sent, demo_mk_lv1ent_page(virt_to_phys(pent)));\n', '');
    expect(findings(text, LEAK)).toEqual([`${LEAK} ${lineOf(text, 'return demo_page_entry')}`]);
  });
});

/** Shaped like drivers/i2c/busses/i2c-at91-master.c at91_twi_write_data_dma(). */
const TEARDOWN = `#include <linux/dma-mapping.h>

static void demo_dma_cleanup(struct demo_dev *dev)
{
	if (dev->buf_mapped) {
		dma_unmap_single(dev->dev, sg_dma_address(&dev->sg[0]), dev->buf_len, DMA_TO_DEVICE);
		dev->buf_mapped = false;
	}
}

static void demo_write_data_dma(struct demo_dev *dev)
{
	dma_addr_t dma_addr;
	struct dma_async_tx_descriptor *txdesc;

	dma_addr = dma_map_single(dev->dev, dev->buf, dev->buf_len, DMA_TO_DEVICE);
	if (dma_mapping_error(dev->dev, dma_addr))
		return;
	dev->buf_mapped = true;
	if (dev->fifo_size)
		sg_dma_address(&dev->sg[0]) = dma_addr;
	txdesc = dmaengine_prep_slave_sg(dev->chan, dev->sg, 1, DMA_MEM_TO_DEV, 0);
	if (!txdesc)
		goto error;
	dmaengine_submit(txdesc);
	return;

error:
	demo_dma_cleanup(dev);
}
`;

describe('a teardown of the object the buffer lives in, on the way out (at91_twi_dma_cleanup)', () => {
  it('near miss: the error path ends in the file’s cleanup, which unmaps what the object records: silent', () => {
    expect(findings(TEARDOWN, LEAK)).toEqual([]);
  });
  it('one edit (the error path ends in a function that does not unmap): reported', () => {
    const text = mutate(TEARDOWN, 'error:\n\tdemo_dma_cleanup(dev);', 'error:\n\tdemo_report(dev);');
    // At the end of the function, the line after the call.
    expect(findings(text, LEAK)).toEqual([`${LEAK} ${lineOf(text, 'demo_report(dev);') + 1}`]);
  });
});
